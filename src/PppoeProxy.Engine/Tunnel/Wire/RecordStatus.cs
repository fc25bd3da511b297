namespace PppoeProxy.Engine.Tunnel.Wire;

/// <summary>Outcome of parsing one record from the front of a buffer.</summary>
public enum RecordStatus
{
    /// <summary>A whole record was parsed; <c>consumed</c> bytes can be dropped.</summary>
    Ok,
    /// <summary>The buffer holds only part of a record; read more and retry with the same bytes in front.</summary>
    NeedMoreData,
    /// <summary>The header announces a payload larger than the protocol allows. Fatal: close the connection.</summary>
    Oversized,
    /// <summary>
    /// A well-formed record of a type this build does not know. <c>consumed</c> covers it, so a
    /// tolerant caller may skip it; a strict one closes.
    /// </summary>
    UnknownType,
    /// <summary>The bytes break a rule of the format (reserved bits set, bad length for the type...). Fatal.</summary>
    Malformed,
}
