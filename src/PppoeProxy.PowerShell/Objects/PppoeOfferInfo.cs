using PppoeProxy.Engine.Sessions;

namespace PppoeProxy.PowerShell;

/// <summary>
/// An access concentrator's offer as Find-PppoeServer emits it: the engine's offer with the MAC as
/// text and the services as a list that reads as "a,b", so ConvertTo-Json and Export-Csv are readable.
/// </summary>
public sealed class PppoeOfferInfo
{
    public PppoeOfferInfo(PppoeOffer offer)
    {
        Interface = offer.Interface;
        AcName = offer.AcName;
        AcMac = offer.AcMac.ToString();
        Services = new ServiceNameList(offer.Services);
        Cookie = offer.Cookie;
        MaxPayload = offer.MaxPayload;
        _text = offer.ToString();
    }

    private readonly string _text;

    public string? Interface { get; }
    public string? AcName { get; }
    public string AcMac { get; }
    public ServiceNameList Services { get; }
    /// <summary>True when the PADO carried an AC-Cookie.</summary>
    public bool Cookie { get; }
    public int? MaxPayload { get; }

    public override string ToString() => _text;
}
