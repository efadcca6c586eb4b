import Foundation
import TestSupport
import Testing

@testable import ThreadsAPI

/// `APIKey.exposure`: under systemd the key is a credential copy, so the mode of the file it
/// was copied from is checked apart from loading.
@Suite struct KeyFileExposureTests {
    /// A credentials directory holding the key, and a key file of `mode`.
    func setUp(mode: mode_t) throws -> (TemporaryDirectory, environment: [String: String], file: String) {
        let directory = TemporaryDirectory()
        let credential = try directory.write("credentials/api-key", "sk-credential\n")
        chmod(credential, 0o400)
        let file = try directory.write("etc/api-key", "sk-credential\n")
        chmod(file, mode)
        return (directory, ["CREDENTIALS_DIRECTORY": directory.file("credentials")], file)
    }

    @Test(arguments: [0o644, 0o640, 0o604])
    func aKeyFileOthersMayReadBehindACredentialIsNamedWithTheFix(mode: Int) throws {
        let (directory, environment, file) = try setUp(mode: mode_t(mode))
        // Loading still works: the credential is what the service reads.
        #expect(try APIKey.load(environment: environment, keyFile: file).source == .credential(path: directory.file("credentials/api-key")))
        let warning = try #require(APIKey.exposure(environment: environment, keyFile: file))
        #expect(
            warning
                == "api key file '\(file)' (the source of systemd credential '\(directory.file("credentials/api-key"))') is readable by group or others (mode \(String(mode, radix: 8))); run 'chmod 600 \(file)'"
        )
    }

    @Test func withoutApiKeyFileTheUnitsSourceIsChecked() throws {
        let (directory, environment, file) = try setUp(mode: 0o644)
        let warning = try #require(APIKey.exposure(environment: environment, keyFile: nil, credentialSource: file))
        withExtendedLifetime(directory) {}
        #expect(warning.contains("chmod 600 \(file)"))
    }

    @Test func aPrivateKeyFileOrNoCredentialGivesNoWarning() throws {
        let (directory, environment, file) = try setUp(mode: 0o600)
        #expect(FileManager.default.fileExists(atPath: file))
        #expect(APIKey.exposure(environment: environment, keyFile: file) == nil)
        #expect(APIKey.exposure(environment: environment, keyFile: nil, credentialSource: file + ".absent") == nil)
        // Without a credential, load itself refuses such a file.
        let (other, _, open) = try setUp(mode: 0o644)
        #expect(FileManager.default.fileExists(atPath: open))
        #expect(APIKey.exposure(environment: [:], keyFile: open) == nil)
        withExtendedLifetime((directory, other)) {}
    }

    @Test func aCredentialOthersMayReadIsNamed() throws {
        let (directory, environment, file) = try setUp(mode: 0o600)
        chmod(directory.file("credentials/api-key"), 0o644)
        let warning = try #require(APIKey.exposure(environment: environment, keyFile: file))
        #expect(warning.hasPrefix("systemd credential '\(directory.file("credentials/api-key"))' is readable"))
    }
}
