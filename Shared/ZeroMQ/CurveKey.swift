import CZeroMQ

/// A CURVE key (public or secret) in Z85 text: 40 characters for 32 bytes.
///
/// A secret key is a credential: its `description` never shows it, only a fingerprint
/// (the first 8 characters of the public half, see `CurveKeyPair`).
public struct CurveKey: Sendable, Hashable, CustomStringConvertible {
    /// The key's 40 Z85 characters.
    public let z85: String

    /// A key from its Z85 text; nil unless it is 40 characters of the Z85 alphabet that
    /// decode to 32 bytes.
    public init?(z85 text: String) {
        guard text.utf8.count == 40 else { return nil }
        var bytes = [UInt8](repeating: 0, count: 32)
        guard zmq_z85_decode(&bytes, text) != nil else { return nil }
        z85 = text
    }

    /// The key's 32 bytes, as ZAP hands a client's public key over.
    public init?(raw bytes: [UInt8]) {
        guard bytes.count == 32 else { return nil }
        var text = [CChar](repeating: 0, count: 41)
        guard zmq_z85_encode(&text, bytes, 32) != nil else { return nil }
        z85 = z85Text(text)
    }

    /// The first 8 characters: enough to tell keys apart in a log, never enough to use one.
    public var fingerprint: String { String(z85.prefix(8)) }

    public var description: String { "CurveKey(\(fingerprint)…)" }
}

/// A CURVE key pair.
public struct CurveKeyPair: Sendable, Equatable {
    public let publicKey: CurveKey
    public let secretKey: CurveKey

    /// A new random pair (libzmq's `zmq_curve_keypair`, from its CSPRNG).
    public static func generate() throws(ZMQError) -> CurveKeyPair {
        var publicText = [CChar](repeating: 0, count: 41)
        var secretText = [CChar](repeating: 0, count: 41)
        guard zmq_curve_keypair(&publicText, &secretText) == 0 else { throw .current() }
        guard let pub = CurveKey(z85: z85Text(publicText)), let sec = CurveKey(z85: z85Text(secretText)) else {
            preconditionFailure("libzmq made a key that is not Z85")
        }
        return CurveKeyPair(publicKey: pub, secretKey: sec)
    }

    /// The pair of a secret key (its public half derived by `zmq_curve_public`).
    public init(secretKey: CurveKey) throws(ZMQError) {
        var publicText = [CChar](repeating: 0, count: 41)
        guard zmq_curve_public(&publicText, secretKey.z85) == 0 else { throw .current() }
        guard let pub = CurveKey(z85: z85Text(publicText)) else {
            preconditionFailure("libzmq derived a key that is not Z85")
        }
        self.init(publicKey: pub, secretKey: secretKey)
    }

    init(publicKey: CurveKey, secretKey: CurveKey) {
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    /// Whether this libzmq was built with CURVE (`zmq_has("curve")`).
    public static var isAvailable: Bool { zmq_has("curve") == 1 }
}

/// The 40 characters libzmq wrote into a 41-character buffer.
private func z85Text(_ chars: [CChar]) -> String {
    String(decoding: chars.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
