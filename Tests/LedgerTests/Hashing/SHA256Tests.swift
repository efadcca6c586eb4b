import Foundation
import TestSupport
import Testing

@testable import Ledger

struct SHA256Tests {
    // FIPS 180-4 / NIST CAVP examples.
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
        (
            "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"
        ),
        ("The quick brown fox jumps over the lazy dog", "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592"),
    ])
    func standardVectors(message: String, digest: String) {
        #expect(SHA256.hex(of: Array(message.utf8)) == digest)
        #expect(SHA256.hex(of: message) == digest)
    }

    @Test func millionAs() {
        var hasher = SHA256()
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        for _ in 0..<1000 { hasher.update(chunk) }
        #expect(hasher.hexDigest() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test(arguments: [55, 56, 63, 64, 65, 119, 120])
    func paddingBoundariesAgreeWhetherFedAtOnceOrByteByByte(length: Int) {
        let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var dripped = SHA256()
        for byte in bytes { dripped.update([byte]) }
        #expect(dripped.hexDigest() == SHA256.hex(of: bytes))
        #expect(SHA256.hex(of: bytes).count == 64)
    }

    @Test func finalizeDoesNotConsumeTheState() {
        var hasher = SHA256()
        hasher.update("ab")
        _ = hasher.finalize()
        hasher.update("c")
        #expect(hasher.hexDigest() == SHA256.hex(of: "abc"))
    }

    @Test func aCopyHashesOnIndependently() {
        var hasher = SHA256()
        hasher.update("ab")
        var copy = hasher
        copy.update("c")
        hasher.update("x")
        #expect(copy.hexDigest() == SHA256.hex(of: "abc"))
        #expect(hasher.hexDigest() == SHA256.hex(of: "abx"))
    }

    /// The same digests as coreutils' sha256sum, which docs/audit-verify.sh checks the chain with.
    @Test(arguments: [0, 1, 55, 56, 64, 1000, 100_003])
    func agreesWithSha256sum(length: Int) throws {
        let directory = TemporaryDirectory()
        let path = directory.file("bytes")
        let bytes = (0..<length).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 7) }
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        let result = try ProcessRunner.run("/usr/bin/sha256sum", [path])
        #expect(result.status == 0)
        #expect(result.standardOutput.prefix(64) == SHA256.hex(of: bytes))
    }
}
