using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace PppoeProxy.Engine.Tunnel.Datagram;

/// <summary>BouncyCastle's crypto for the DTLS handshake, with AES-GCM records sealed by <see cref="SystemAesGcm"/> where the platform has it.</summary>
internal sealed class TunnelTlsCrypto(SecureRandom random) : BcTlsCrypto(random)
{
    protected override TlsAeadCipher CreateCipher_Aes_Gcm(TlsCryptoParameters cryptoParams, int cipherKeySize, int macSize) =>
        System.Security.Cryptography.AesGcm.IsSupported && macSize == 16
            ? new TlsAeadCipher(cryptoParams, new SystemAesGcm(true), new SystemAesGcm(false), cipherKeySize, macSize, TlsAeadCipher.AEAD_GCM)
            : base.CreateCipher_Aes_Gcm(cryptoParams, cipherKeySize, macSize);
}
