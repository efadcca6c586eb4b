import Foundation
import TestSupport
import Testing

@testable import ThreadsAPI

@Suite struct APIKeyTests {
    static let secret = "sk-test-5f1e2d3c4b5a69788796a5b4c3d2e1f0"

    @Test func descriptionDumpAndReflectionNeverShowTheKey() throws {
        let key = try APIKey(Self.secret, source: .environment(variable: "THREADKEEPER_API_KEY"))
        var dumped = ""
        dump(key, to: &dumped)
        for text in [String(describing: key), String(reflecting: key), "\(key)", dumped, String(describing: [key])] {
            #expect(!text.contains(Self.secret))
            #expect(!text.contains("5f1e2d"))
        }
        #expect(String(describing: key) == "APIKey(redacted, from $THREADKEEPER_API_KEY)")
    }

    @Test func trailingWhitespaceAndNewlinesAreDropped() throws {
        let key = try APIKey(Self.secret + " \n\r\n\t")
        #expect(key.value == Self.secret)
    }

    @Test(arguments: ["", "  \n", "sk test", "sk-\u{7}x", "sk-ключ"])
    func refusesKeysThatCannotBeAHeader(_ text: String) {
        #expect(throws: APIKeyError.self) { try APIKey(text) }
    }

    @Test func redactsEchoes() throws {
        let key = try APIKey(Self.secret)
        #expect(key.redact("Incorrect API key provided: \(Self.secret).") == "Incorrect API key provided: [redacted].")
    }

    @Test func theCredentialWinsOverTheFileAndTheEnvironment() throws {
        let directory = TemporaryDirectory()
        try directory.write("credentials/api-key", "from-credential\n")
        let file = try directory.write("key", "from-file")
        chmod(file, 0o600)
        let key = try APIKey.load(
            environment: ["CREDENTIALS_DIRECTORY": directory.file("credentials"), "THREADKEEPER_API_KEY": "from-env"],
            keyFile: file)
        #expect(key.value == "from-credential")
        #expect(key.source == .credential(path: directory.file("credentials") + "/api-key"))
    }

    @Test func theKeyFileWinsOverTheEnvironment() throws {
        let directory = TemporaryDirectory()
        let file = try directory.write("key", "from-file\n\n")
        chmod(file, 0o600)
        let key = try APIKey.load(
            environment: ["CREDENTIALS_DIRECTORY": directory.file("empty"), "THREADKEEPER_API_KEY": "from-env"],
            keyFile: file)
        #expect(key.value == "from-file")
    }

    @Test(arguments: [0o644, 0o640, 0o604])
    func aKeyFileOthersMayReadIsRefusedWithTheFix(mode: Int) throws {
        let directory = TemporaryDirectory()
        let file = try directory.write("key", Self.secret)
        chmod(file, mode_t(mode))
        do {
            _ = try APIKey.load(environment: ["THREADKEEPER_API_KEY": "from-env"], keyFile: file)
            Issue.record("expected the key file to be refused")
        } catch let error as APIKeyError {
            #expect(error.message.contains("chmod 600 \(file)"))
            #expect(error.message.contains("'\(file)'"))
            #expect(!error.message.contains(Self.secret))
        }
    }

    @Test func aMissingKeyFileIsNamed() {
        #expect {
            _ = try APIKey.load(environment: [:], keyFile: "/nonexistent/key")
        } throws: { error in
            (error as? APIKeyError)?.message.contains("'/nonexistent/key'") == true
        }
    }

    @Test func theEnvironmentIsTheLastResort() throws {
        let key = try APIKey.load(environment: ["THREADKEEPER_API_KEY": "from-env\n"], keyFile: nil)
        #expect(key.value == "from-env")
        #expect(throws: APIKeyError.self) { try APIKey.load(environment: [:], keyFile: nil) }
    }
}
