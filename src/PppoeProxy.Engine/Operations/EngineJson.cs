using System.Text.Encodings.Web;
using System.Text.Json;

namespace PppoeProxy.Engine.Operations;

/// <summary>The JSON shape of frames, sessions and offers: camelCase names of the same objects users see.</summary>
public static class EngineJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);
}
