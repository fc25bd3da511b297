namespace PppoeProxy.Engine.Tunnel;

public enum ClaimResult { Owned, Claimed, Adopted, SpoofedSource, HeldForOtherPeer }
