import CLibmd

/// SHA-256 (FIPS 180-4) through libmd's `<sha2.h>`.
///
/// Used for the action log's hash chain and by Rules for a rule file's digest. Feed bytes
/// with `update`, read the digest with `finalize`; `SHA256.hex(of:)` does both at once.
/// This file is the only importer of `CLibmd`. `SHA2_CTX` is a plain C struct with no
/// pointers, so a copy of the hasher is an independent hasher, as a Swift value should be.
public struct SHA256: Sendable {
    private var context = SHA2_CTX()

    public init() {
        SHA256Init(&context)
    }

    /// Adds bytes to the message.
    public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        let done: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            SHA256Update(&context, buffer.baseAddress, buffer.count)
        }
        if done == nil {
            Array(bytes).withUnsafeBufferPointer { buffer in SHA256Update(&context, buffer.baseAddress, buffer.count) }
        }
    }

    /// Adds the UTF-8 bytes of `text`.
    public mutating func update(_ text: String) { update(text.utf8) }

    /// The 32-byte digest of everything added so far.
    public func finalize() -> [UInt8] {
        // SHA256Final pads and wipes the context it is given; finalize a copy so this one can
        // keep taking bytes.
        var copy = context
        var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        digest.withUnsafeMutableBufferPointer { buffer in SHA256Final(buffer.baseAddress, &copy) }
        return digest
    }

    /// The digest as 64 lower-case hex digits.
    public func hexDigest() -> String { Self.hexString(finalize()) }

    /// The SHA-256 of `bytes` as 64 lower-case hex digits.
    public static func hex(of bytes: [UInt8]) -> String {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.hexDigest()
    }

    /// The SHA-256 of the UTF-8 bytes of `text` as 64 lower-case hex digits.
    public static func hex(of text: String) -> String {
        var hasher = SHA256()
        hasher.update(text.utf8)
        return hasher.hexDigest()
    }

    static func hexString(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
