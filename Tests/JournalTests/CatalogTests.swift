import Foundation
import TestSupport
import Testing

@testable import Journal

/// `systemd/threadkeeper.catalog` documents every `MessageID` and is accepted by journalctl.
@Suite struct CatalogTests {
    static var catalogPath: String {
        var directory = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { directory.deleteLastPathComponent() }
        return directory.path + "/systemd/threadkeeper.catalog"
    }

    /// The ids of the catalog's entries (`-- ID` lines), in file order.
    static func catalogIDs() throws -> [String] {
        try String(contentsOfFile: catalogPath, encoding: .utf8).split(separator: "\n")
            .filter { $0.hasPrefix("-- ") }.map { String($0.dropFirst(3)).trimmingCharacters(in: .whitespaces) }
    }

    @Test func everyMessageIDIsDocumentedOnceAndNothingElse() throws {
        let ids = try Self.catalogIDs()
        #expect(ids == MessageID.all.map(\.id.hex))
        #expect(Set(ids).count == ids.count)
    }

    @Test func theReadmeListsEveryMessageID() throws {
        let readme = try String(contentsOfFile: (Self.catalogPath as NSString).deletingLastPathComponent + "/../README.md", encoding: .utf8)
        for (_, id) in MessageID.all { #expect(readme.contains("`\(id.hex)`"), "README lacks \(id.hex)") }
    }

    @Test func messageIDsAreDistinctAnd128Bit() {
        let hexes = MessageID.all.map(\.id.hex)
        #expect(Set(hexes).count == 10)
        #expect(hexes.allSatisfy { $0.count == 32 && MessageID(hex: $0)?.hex == $0 })
        #expect(MessageID(hex: "98CE01106EA54A49AB405C7ABBF7A069") == .daemonStarted)
        #expect(MessageID(hex: "xyz") == nil)
        #expect(MessageID(hex: String(repeating: "g", count: 32)) == nil)
    }

    @Test func journalctlCompilesTheCatalog() throws {
        let journalctl = "/usr/bin/journalctl"
        guard FileManager.default.isExecutableFile(atPath: journalctl) else { try Test.cancel("journalctl is not installed") }
        let root = TemporaryDirectory()
        try root.write("usr/lib/systemd/catalog/threadkeeper.catalog", String(contentsOfFile: Self.catalogPath, encoding: .utf8))
        let update = try ProcessRunner.run(journalctl, ["--root=\(root.path)", "--update-catalog"])
        #expect(update.status == 0, "\(update.standardError)")
        #expect(update.standardError.isEmpty, "journalctl complained: \(update.standardError)")
        #expect(FileManager.default.fileExists(atPath: root.file("var/lib/systemd/catalog/database")))
        let list = try ProcessRunner.run(journalctl, ["--root=\(root.path)", "--list-catalog"])
        let listed = Set(list.standardOutput.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) })
        #expect(listed == Set(MessageID.all.map(\.id.hex)))
        let shown = try ProcessRunner.run(journalctl, ["--root=\(root.path)", "--dump-catalog", MessageID.breakerOpened.hex])
        #expect(shown.standardOutput.contains("Subject: threadkeeper stopped calling the API: breaker opened"))
    }
}
