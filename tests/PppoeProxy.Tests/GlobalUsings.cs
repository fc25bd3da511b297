// Test helpers shared across rooms: the lab (Integration), the runspace host (PowerShell), tunnel support.
global using PppoeProxy.Tests.Integration;
global using PppoeProxy.Tests.PowerShell;
global using PppoeProxy.Tests.Tunnel;
global using PppoeProxy.Tests.Diagnostics;
