namespace PppoeProxy.Engine.Tunnel.Datagram;

/// <summary>What one received payload held.</summary>
internal enum UnpackResult
{
    /// <summary>Whole v1 records to hand to the link.</summary>
    Records,
    /// <summary>A hello or reply (kind 2).</summary>
    Handshake,
    /// <summary>Nothing to deliver yet (a fragment of a record still incomplete) or a broken payload (counted).</summary>
    Nothing,
}
