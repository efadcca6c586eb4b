import Emulator
import Foundation
import Ledger
import Rules
import TestSupport
import Testing

/// The built `threadkeeper run` killed with SIGKILL at random moments of a 2,000-thread run,
/// restarted each time, then checked against the emulator's own state.
struct KillResumeTests {
    static let kills = 24

    @Test func killedAtRandomMomentsItResumesWithoutLosingOrRepeatingADelete() async throws {
        let directory = TemporaryDirectory()
        let export = directory.file("seed.jsonl")
        let server = try await EmulatorServer.start(
            EmulatorOptions(
                seedCount: 2_000, seedAge: 365 * 86_400, seedRandom: 2_026, exportFile: export,
                faults: EmulatorFaults(latencyMilliseconds: 25), eventLoops: 2))
        let ledger = directory.file("ledger.sqlite3")
        let environment = ["THREADKEEPER_API_KEY": "sk-kill-test", "PATH": "/usr/bin:/bin"]
        let imported = try ProcessRunner.threadkeeper(["import", export, "--ledger", ledger], environment: environment)
        #expect(imported.status == 0, "\(imported.standardError)")
        let rulePath = try directory.write("rules/purge.rule", "[Rule]\nAction=delete\n\n[Match]\nOlderThan=120d\n")
        let config = try directory.write("threadkeeper.conf", "[API]\nRequestsPerSecond=1500\nConcurrency=8\n")
        let arguments = [
            "run", "purge", "--yes", "--config", config, "--rules", directory.file("rules"), "--ledger", ledger, "--base-url",
            server.baseURL, "--log-target", "stderr",
        ]
        let seeded = try String(contentsOfFile: export, encoding: .utf8).split(separator: "\n").count
        #expect(seeded == 2_000)
        // What the rule matches (holds excluded); the boundary moves by seconds during the test,
        // while seeded threads lie hours apart.
        let rule = try #require(RuleSet.load(files: [rulePath]).rules.first)
        let matching = try Ledger(path: ledger, readOnly: true).count(
            matching: rule.compile(now: Int64(Date().timeIntervalSince1970)).query)

        // The start-sleep-kill loop runs on a thread of its own: the test process's task pool may
        // be busy with other suites, and a late kill would let runs finish unkilled.
        let (killed, completedEarly) = await withCheckedContinuation { (continuation: CheckedContinuation<(Int, Int), Never>) in
            Thread.detachNewThread {
                var generator = SystemRandomNumberGenerator()
                var killed = 0
                var completedEarly = 0
                for _ in 0..<Self.kills {
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: BuiltProducts.threadkeeper)
                    process.arguments = arguments
                    process.environment = environment
                    process.standardOutput = FileHandle.nullDevice
                    process.standardError = FileHandle.nullDevice
                    guard (try? process.run()) != nil else { continue }
                    usleep(UInt32.random(in: 30_000...350_000, using: &generator))
                    if process.isRunning {
                        kill(process.processIdentifier, SIGKILL)
                        killed += 1
                    } else {
                        completedEarly += 1
                    }
                    process.waitUntilExit()
                }
                continuation.resume(returning: (killed, completedEarly))
            }
        }
        #expect(killed >= 20, "only \(killed) runs were killed, \(completedEarly) finished first")

        let final = try ProcessRunner.threadkeeper(arguments + ["--json"], environment: environment)
        #expect(final.status == 0, "\(final.standardError)")

        // The emulator's own state against the ledger, thread by thread.
        let live = await server.liveThreadIDs()
        let stats = await server.stats()
        let check = try Ledger(path: ledger, readOnly: true)
        var states: [String: String] = [:]
        for row in try check.rows("SELECT id, state FROM threads") { states[row[0].textValue ?? ""] = row[1].textValue }
        #expect(states.count == 2_000)
        var deletedButLive: [String] = []
        var liveButDeleted: [String] = []
        for (id, state) in states {
            if live.contains(id) {
                if state != "live" { deletedButLive.append(id) }
            } else if state == "live" {
                liveButDeleted.append(id)
            }
        }
        #expect(deletedButLive.isEmpty, "marked deleted/gone in the ledger but live at the API: \(deletedButLive.prefix(5))")
        #expect(liveButDeleted.isEmpty, "deleted at the API but live in the ledger: \(liveButDeleted.prefix(5))")
        #expect(2_000 - live.count == matching)
        // Reconciliation only ever GETs: no thread was sent DELETE twice.
        #expect(stats.repeatedDeletes == 0)
        #expect(try check.openIntents().isEmpty)
        #expect(try check.unfinishedRuns().isEmpty)
        let audit = try ProcessRunner.threadkeeper(["audit", "--verify", "--ledger", ledger], environment: environment)
        #expect(audit.status == 0, "\(audit.standardOutput)\(audit.standardError)")
        // Every DELETE the emulator answered has exactly one action that says so.
        let settledDeletes = try check.rows(
            "SELECT count(DISTINCT thread_id) FROM actions WHERE action = 'delete' AND outcome IN ('ok', 'gone')")
        #expect(settledDeletes.first?.first?.integerValue == Int64(matching))
        await server.stop()
    }
}
