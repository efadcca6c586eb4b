import CommandLineKit
import Foundation
import JSON
import Ledger

/// `threadkeeper import --spool DIR`: one pass over a drop box of import files (see `Spool`).
extension ImportCommand {
    /// What became of one spool file.
    struct SpoolResult {
        var file: String
        var movedTo: String
        var format: ImportFormat?
        var counts = ImportCounts()
        /// The bad lines, each "FILE:LINE: reason"; a file with any goes to failed/.
        var problems: [String] = []
        var badLines = 0
    }

    /// A file with a bad line: nothing of it is written, it goes to failed/.
    private struct BadSpoolFile: Error {}

    func runSpool(_ directory: String, _ context: CommandContext) throws -> ExitCode {
        let configuration = try context.loadConfiguration()
        let ledger = try context.openLedger(configuration)
        let spool = try Spool(directory: directory)
        var incomplete: [String] = []
        let waiting = try spool.waitingFiles(incomplete: &incomplete)
        var results: [SpoolResult] = []
        for entry in waiting {
            guard let claimed = try spool.claim(entry.name) else { continue }
            var result = SpoolResult(file: entry.name, movedTo: "")
            do {
                try importSpoolFile(claimed, name: directory + "/" + entry.name, into: ledger, &result)
                result.movedTo = try spool.finish(entry.name)
            } catch is BadSpoolFile {
                let report =
                    result.problems.joined(separator: "\n") + "\n"
                    + (result.badLines > result.problems.count
                        ? "… and \(result.badLines - result.problems.count) more bad lines\n" : "")
                    + "nothing of this file was imported: fix the lines and put it back into the spool\n"
                result.movedTo = try spool.fail(entry.name, report: report)
            } catch let error as LedgerError where error.kind == .badInput || error.kind == .inputUnavailable {
                // The file as a whole cannot be read: a CSV header without an id column, or
                // a mode that keeps this user out (its writer fixes it and drops it again).
                result.problems = [error.message]
                result.badLines = 1
                result.movedTo = try spool.fail(entry.name, report: error.message + "\n")
            } catch {
                // The ledger's trouble, not the file's: back into the spool for the next pass.
                try? spool.release(entry.name)
                throw error
            }
            if !json { context.print(Self.summary(of: result)) }
            results.append(result)
        }
        if !results.isEmpty {
            MetricsPublisher.publish(
                configuration: configuration, rulesDirectory: context.rulesDirectory(for: configuration), ledger: ledger,
                requests: nil, warn: context.warn)
        }
        let failed = results.filter { $0.badLines > 0 }.count
        if json {
            let files: [JSONValue] = results.map { result in
                [
                    "file": .init(result.file), "moved_to": .init(result.movedTo), "format": .init(result.format?.rawValue),
                    "imported": .init(result.counts.imported), "updated": .init(result.counts.updated),
                    "unchanged": .init(result.counts.unchanged), "bad_lines": .init(result.badLines),
                    "result": result.badLines > 0 ? "failed" : "done",
                ]
            }
            let object: JSONValue = [
                "spool": .init(directory), "ledger": .init(ledger.path), "files": .array(files),
                "done": .init(results.count - failed), "failed": .init(failed), "left_incomplete": .init(incomplete.sorted()),
            ]
            context.print(JSONText.encode(object))
        } else {
            context.print(
                "spool \(directory): \(results.count - failed) done, \(failed) failed, \(incomplete.count) left incomplete"
                    + " (into \(ledger.path))")
        }
        return failed > 0 ? .failure : .success
    }

    /// Imports one claimed file, all of it or nothing of it (in one transaction).
    private func importSpoolFile(_ path: String, name: String, into ledger: Ledger, _ result: inout SpoolResult) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let reason = String(cString: strerror(errno)).lowercased()
            throw LedgerError(
                .inputUnavailable, "\(name): cannot open: \(reason); a spool file must be readable by the importing user or group",
                path: path)
        }
        defer { close(descriptor) }
        let reader = ImportReader(descriptor: descriptor, path: name, format: format)
        var problems: [String] = []
        var badLines = 0
        defer {
            result.format = reader.format
            result.problems = problems
            result.badLines = badLines
        }
        result.counts = try ledger.importThreads(batchSize: batchSize) { emit in
            try reader.read(
                onThread: emit,
                onBad: { line, reason in
                    badLines += 1
                    if problems.count < Self.reportedBadLines { problems.append("\(name):\(line): \(reason)") }
                })
            if badLines > 0 { throw BadSpoolFile() }
        }
    }

    static func summary(of result: SpoolResult) -> String {
        if result.badLines > 0 {
            return "\(result.file): failed, \(result.badLines) bad line\(result.badLines == 1 ? "" : "s")"
                + " (first: \(result.problems.first ?? "")); see \(result.movedTo).err"
        }
        return "\(result.file): imported \(result.counts.imported), updated \(result.counts.updated),"
            + " unchanged \(result.counts.unchanged) (\(result.format?.rawValue ?? "empty input")) -> \(result.movedTo)"
    }
}
