import Emulator
import Foundation
import Ledger
import TestSupport
import Testing

/// SIGINT and SIGTERM sent to the built `threadkeeper run`.
struct SignalTests {
    struct Setup {
        let directory = TemporaryDirectory()
        let server: EmulatorServer
        let arguments: [String]
        let ledger: String
        let environment = ["THREADKEEPER_API_KEY": "sk-signal-test", "PATH": "/usr/bin:/bin"]

        init() async throws {
            let export = directory.file("seed.jsonl")
            server = try await EmulatorServer.start(
                EmulatorOptions(
                    seedCount: 400, seedRandom: 9, exportFile: export, faults: EmulatorFaults(latencyMilliseconds: 30),
                    eventLoops: 1))
            ledger = directory.file("ledger.sqlite3")
            _ = try ProcessRunner.threadkeeper(["import", export, "--ledger", ledger], environment: environment)
            try directory.write("rules/all.rule", "[Rule]\nAction=delete\n\n[Match]\nOlderThan=1s\n\n[Action]\nVerify=never\n")
            let config = try directory.write("threadkeeper.conf", "[API]\nRequestsPerSecond=1000\nConcurrency=4\n")
            arguments = [
                "run", "all", "--yes", "--json", "--config", config, "--rules", directory.file("rules"), "--ledger", ledger,
                "--base-url", server.baseURL, "--log-target", "stderr",
            ]
        }

        /// Starts the run, waits until some deletes went through, sends the signals; returns the exit status and stdout.
        func interrupt(with signals: [Int32]) async throws -> (Int32, String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: BuiltProducts.threadkeeper)
            process.arguments = arguments
            process.environment = environment
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Watched from a thread of its own: the test process's task pool may be busy with
            // other suites for seconds, long enough for the run to finish unsignalled.
            let pid = process.processIdentifier
            let path = ledger
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                Thread.detachNewThread {
                    let deadline = Date().addingTimeInterval(60)
                    let watched = try? Ledger(path: path, readOnly: true)
                    while Date() < deadline, (try? watched?.count(matching: .state(.deleted))) ?? 0 < 20 {
                        usleep(5_000)
                    }
                    for signal in signals { kill(pid, signal) }
                    continuation.resume()
                }
            }
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: data, as: UTF8.self))
        }
    }

    @Test(arguments: [(SIGTERM, Int32(143)), (SIGINT, Int32(130))])
    func aSignalStopsTheRunRecordsEveryOutcomeAndExits(signal: Int32, expected: Int32) async throws {
        let setup = try await Setup()
        let (status, output) = try await setup.interrupt(with: [signal])
        #expect(status == expected)
        #expect(output.contains("\"status\":\"aborted\""))
        let ledger = try Ledger(path: setup.ledger, readOnly: true)
        #expect(try ledger.openIntents().isEmpty)
        let live = await setup.server.liveThreadIDs()
        #expect(live.count > 0 && live.count < 400)
        #expect(try ledger.count(matching: .state(.deleted)) == 400 - live.count)
        #expect(try ledger.unfinishedRuns().isEmpty)
        // The summary counts the planned threads the stop left untouched: those without an intent.
        let json = try #require(output.split(separator: "\n").first { $0.hasPrefix("{\"runs\"") })
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        let run = try #require((object?["runs"] as? [[String: Any]])?.first)
        let runID = try #require(run["run_id"] as? Int)
        let intents = try ledger.rows("SELECT count(*) FROM actions WHERE run_id = ?", [.integer(Int64(runID))])[0][0]
        let planned = try #require(run["planned"] as? Int)
        #expect(run["not_started"] as? Int == planned - Int(intents.integerValue ?? 0))
        await setup.server.stop()
    }

    @Test func aSecondSignalExitsAtOnceAndTheNextRunReconciles() async throws {
        let setup = try await Setup()
        let (status, _) = try await setup.interrupt(with: [SIGTERM, SIGTERM])
        #expect(status == 143)
        let resumed = try ProcessRunner.threadkeeper(setup.arguments, environment: setup.environment)
        #expect(resumed.status == 0, "\(resumed.standardError)")
        let ledger = try Ledger(path: setup.ledger, readOnly: true)
        #expect(try ledger.openIntents().isEmpty)
        // Only held threads are left, at the API and in the ledger alike.
        let live = await setup.server.liveThreadIDs()
        #expect(try ledger.count(matching: .state(.live)) == live.count)
        #expect(try ledger.count(matching: InventoryQuery.state(.live).and(.metadata("legal_hold", glob: "*"))) == live.count)
        #expect(await setup.server.stats().repeatedDeletes == 0)
        await setup.server.stop()
    }
}
