package dev.pulse.control.lifecycle.deletion;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The deployment's Ed25519 key that signs certificates of deletion (the JDK's own Ed25519, no
 * library). The private key is a PKCS#8 PEM file named by {@code PULSE_DELETION_SIGNING_KEY}
 * (owner-only permissions); its public key is published next to it as {@code <file>.pub}
 * (X.509 SubjectPublicKeyInfo PEM), printed by {@code pulse tenant delete}, and embedded in every
 * certificate with its fingerprint, so anyone holding the published key can verify a certificate.
 */
public final class SigningKey {
    static final String ALGORITHM = "Ed25519";

    private final PrivateKey privateKey;
    private final PublicKey publicKey;

    private SigningKey(PrivateKey privateKey, PublicKey publicKey) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
    }

    /** Reads the key at {@code file}; writes its {@code .pub} if missing. */
    public static SigningKey load(Path file) {
        try {
            byte[] pkcs8 = pem(Files.readString(file), "PRIVATE KEY");
            KeyFactory factory = KeyFactory.getInstance(ALGORITHM);
            PrivateKey privateKey = factory.generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            Path pub = publicKeyFile(file);
            PublicKey publicKey;
            if (Files.isRegularFile(pub)) {
                publicKey = readPublicKey(pub);
            } else {
                throw new DeletionException("the public key " + pub + " of signing key " + file + " is missing; "
                        + "restore it, or write it with `openssl pkey -in " + file + " -pubout -out " + pub + "`");
            }
            SigningKey key = new SigningKey(privateKey, publicKey);
            key.requirePair(file);
            return key;
        } catch (IOException e) {
            throw new DeletionException("cannot read the deletion signing key " + file + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new DeletionException(file + " is not an Ed25519 private key in PKCS#8 PEM: " + e.getMessage(), e);
        }
    }

    /** Generates a key pair into {@code file} and {@code file.pub} unless {@code file} exists; returns the key. */
    public static SigningKey loadOrGenerate(Path file) {
        if (Files.isRegularFile(file)) {
            return load(file);
        }
        try {
            KeyPair pair = KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
            Files.deleteIfExists(temporary);
            try {
                Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(temporary);
            }
            Files.writeString(temporary, toPem("PRIVATE KEY", pair.getPrivate().getEncoded()));
            Files.writeString(publicKeyFile(file), toPem("PUBLIC KEY", pair.getPublic().getEncoded()));
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
            return new SigningKey(pair.getPrivate(), pair.getPublic());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the deletion signing key " + file, e);
        } catch (GeneralSecurityException e) {
            throw new DeletionException("this JDK has no Ed25519: " + e.getMessage(), e);
        }
    }

    /** Where the public key of {@code privateKeyFile} is published: the same name with {@code .pub} appended. */
    public static Path publicKeyFile(Path privateKeyFile) {
        return privateKeyFile.resolveSibling(privateKeyFile.getFileName() + ".pub");
    }

    /** A public key from a PEM file ({@code -----BEGIN PUBLIC KEY-----}). */
    public static PublicKey readPublicKey(Path file) {
        try {
            return decodePublicKey(pem(Files.readString(file), "PUBLIC KEY"));
        } catch (IOException e) {
            throw new DeletionException("cannot read public key " + file + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new DeletionException(file + " is not an Ed25519 public key in PEM: " + e.getMessage(), e);
        }
    }

    /** An Ed25519 public key from its X.509 (SubjectPublicKeyInfo) encoding. */
    public static PublicKey decodePublicKey(byte[] x509) {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(x509));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an Ed25519 public key: " + e.getMessage(), e);
        }
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    /** The public key as base64 of its X.509 encoding, as certificates carry it. */
    public String publicKeyBase64() {
        return Base64.getEncoder().encodeToString(publicKey.getEncoded());
    }

    /** {@code sha256:<hex>} of the public key's X.509 encoding: a short name to compare keys by. */
    public static String fingerprint(PublicKey key) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The PEM text of the public key, to publish. */
    public String publicKeyPem() {
        return toPem("PUBLIC KEY", publicKey.getEncoded());
    }

    byte[] sign(byte[] message) {
        try {
            Signature signature = Signature.getInstance(ALGORITHM);
            signature.initSign(privateKey);
            signature.update(message);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new DeletionException("signing failed: " + e.getMessage(), e);
        }
    }

    static boolean verify(PublicKey key, byte[] message, byte[] signatureBytes) {
        try {
            Signature signature = Signature.getInstance(ALGORITHM);
            signature.initVerify(key);
            signature.update(message);
            return signature.verify(signatureBytes);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private void requirePair(Path file) {
        byte[] probe = "pulse deletion signing key check".getBytes(StandardCharsets.UTF_8);
        if (!verify(publicKey, probe, sign(probe))) {
            throw new DeletionException("the public key " + publicKeyFile(file) + " does not belong to the private key " + file);
        }
    }

    private static byte[] pem(String text, String type) {
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int from = text.indexOf(begin);
        int to = text.indexOf(end);
        if (from < 0 || to < from) {
            throw new IllegalArgumentException("no " + begin + " block");
        }
        return Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to).strip());
    }

    private static String toPem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
