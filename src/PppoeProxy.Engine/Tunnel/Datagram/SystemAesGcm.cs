using System.Security.Cryptography;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto.Impl;

namespace PppoeProxy.Engine.Tunnel.Datagram;

/// <summary>
/// BouncyCastle's AEAD slot filled by .NET's <see cref="AesGcm"/> (OpenSSL underneath, AES-NI and
/// PCLMUL): the same AES-GCM, a few times faster per record than BouncyCastle's managed one, which
/// matters on a datagram tunnel that seals every frame on its own. BouncyCastle still builds the
/// nonce and additional data; this only runs the cipher. A failed tag is bad_record_mac, as in
/// BouncyCastle's own implementation (the record layer then discards the record silently).
/// </summary>
internal sealed class SystemAesGcm(bool encrypting) : TlsAeadCipherImpl
{
    private AesGcm? _aes;
    private byte[] _nonce = Array.Empty<byte>();
    private byte[]? _additionalData;
    private int _macSize = 16;

    public void SetKey(byte[] key, int keyOff, int keyLen) => SetKey(key.AsSpan(keyOff, keyLen));

    public void SetKey(ReadOnlySpan<byte> key)
    {
        _aes?.Dispose();
        _aes = new AesGcm(key, 16);
    }

    public void Init(byte[] nonce, int macSize, byte[] additionalData)
    {
        if (macSize != 16) throw new TlsFatalAlert(AlertDescription.internal_error);
        _nonce = nonce;
        _macSize = macSize;
        _additionalData = additionalData;
    }

    public int GetOutputSize(int inputLength) => encrypting ? inputLength + _macSize : Math.Max(0, inputLength - _macSize);

    public int DoFinal(byte[] input, int inputOffset, int inputLength, byte[] output, int outputOffset) =>
        DoFinal(_additionalData, input, inputOffset, inputLength, output, outputOffset);

    public int DoFinal(byte[] additionalData, byte[] input, int inputOffset, int inputLength, byte[] output, int outputOffset)
    {
        var aes = _aes ?? throw new TlsFatalAlert(AlertDescription.internal_error);
        var aad = additionalData is null ? ReadOnlySpan<byte>.Empty : additionalData.AsSpan();
        if (encrypting)
        {
            aes.Encrypt(_nonce, input.AsSpan(inputOffset, inputLength), output.AsSpan(outputOffset, inputLength),
                output.AsSpan(outputOffset + inputLength, _macSize), aad);
            return inputLength + _macSize;
        }
        int plaintext = inputLength - _macSize;
        if (plaintext < 0) throw new TlsFatalAlert(AlertDescription.bad_record_mac);
        try
        {
            aes.Decrypt(_nonce, input.AsSpan(inputOffset, plaintext), input.AsSpan(inputOffset + plaintext, _macSize),
                output.AsSpan(outputOffset, plaintext), aad);
        }
        catch (CryptographicException e) { throw new TlsFatalAlert(AlertDescription.bad_record_mac, e); }
        return plaintext;
    }

    public void Reset() { }
}
