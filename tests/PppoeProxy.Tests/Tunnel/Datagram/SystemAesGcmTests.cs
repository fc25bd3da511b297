using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Tls;
using PppoeProxy.Engine.Tunnel.Datagram;
using Xunit;

namespace PppoeProxy.Tests.Tunnel.Datagram;

/// <summary>The .NET AES-GCM in BouncyCastle's record layer must be exactly BouncyCastle's own AES-GCM, in place as the record layer uses it.</summary>
public class SystemAesGcmTests
{
    [Theory]
    [InlineData(16, 0)]
    [InlineData(16, 1400)]
    [InlineData(32, 77)]
    public void SealsAndOpensExactlyAsBouncyCastlesGcmInPlace(int keySize, int length)
    {
        var random = new Random(keySize * 1000 + length);
        byte[] key = new byte[keySize], nonce = new byte[12], aad = new byte[13], plaintext = new byte[length];
        random.NextBytes(key); random.NextBytes(nonce); random.NextBytes(aad); random.NextBytes(plaintext);

        var reference = new GcmBlockCipher(new AesEngine());
        reference.Init(true, new AeadParameters(new KeyParameter(key), 128, nonce, aad));
        var expected = new byte[length + 16];
        int written = reference.ProcessBytes(plaintext, 0, length, expected, 0);
        reference.DoFinal(expected, written);

        // In place, at an offset, as TlsAeadCipher calls it.
        var record = new byte[5 + length + 16];
        plaintext.CopyTo(record, 5);
        var seal = new SystemAesGcm(true);
        seal.SetKey(key, 0, key.Length);
        seal.Init(nonce, 16, null!);
        Assert.Equal(length + 16, seal.DoFinal(aad, record, 5, length, record, 5));
        Assert.Equal(expected, record.AsSpan(5).ToArray());

        var open = new SystemAesGcm(false);
        open.SetKey(key, 0, key.Length);
        open.Init(nonce, 16, null!);
        Assert.Equal(length, open.GetOutputSize(length + 16));
        Assert.Equal(length, open.DoFinal(aad, record, 5, length + 16, record, 5));
        Assert.Equal(plaintext, record.AsSpan(5, length).ToArray());

        expected[^1] ^= 1; // a forged tag
        var alert = Assert.Throws<TlsFatalAlert>(() => open.DoFinal(aad, expected, 0, expected.Length, expected, 0));
        Assert.Equal(AlertDescription.bad_record_mac, alert.AlertDescription);
    }
}
