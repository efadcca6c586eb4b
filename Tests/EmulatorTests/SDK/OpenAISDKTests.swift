import Foundation
import TestSupport
import Testing

@testable import Emulator

/// Runs the official OpenAI Python SDK against the emulator: if the SDK cannot tell it from the API,
/// neither can threadkeeper.
struct OpenAISDKTests {
    /// The python3 on PATH, or nil.
    static let python: String? = {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(directory)/python3"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }()

    /// A venv with `openai` installed, kept under the package's `.build/` so later runs reuse it.
    ///
    /// Made once per process (a static let), and under an exclusive `flock` of a file beside it,
    /// so the tests of both flavors, and another test process, never build it at once.
    static func virtualEnvironment() throws -> String { try made.get() }

    private static let made = Result { try makeVirtualEnvironment() }

    private static func makeVirtualEnvironment() throws -> String {
        // .build/<triple>/debug → .build
        let buildDirectory = URL(fileURLWithPath: BuiltProducts.directory).resolvingSymlinksInPath()
            .deletingLastPathComponent().deletingLastPathComponent().path
        let venv = buildDirectory + "/openai-venv"
        let lock = open(venv + ".lock", O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard lock >= 0 else { throw SDKFailure(description: "cannot open \(venv).lock: errno \(errno)") }
        defer { close(lock) }
        guard flock(lock, LOCK_EX) == 0 else { throw SDKFailure(description: "cannot lock \(venv).lock: errno \(errno)") }
        let interpreter = venv + "/bin/python"
        if FileManager.default.isExecutableFile(atPath: interpreter),
            (try? ProcessRunner.run(interpreter, ["-c", "import openai"]))?.status == 0
        {
            return interpreter
        }
        let made = try ProcessRunner.run(python!, ["-m", "venv", venv])
        guard made.status == 0 else { throw SDKFailure(description: "python3 -m venv failed: \(made.standardError)") }
        let installed = try ProcessRunner.run(venv + "/bin/pip", ["install", "--quiet", "--disable-pip-version-check", "openai"])
        guard installed.status == 0 else { throw SDKFailure(description: "pip install openai failed: \(installed.standardError)") }
        return interpreter
    }

    struct SDKFailure: Error, CustomStringConvertible {
        var description: String
    }

    static let script = #"""
        import os, sys, warnings
        warnings.simplefilter("ignore")
        import openai

        base = os.environ["EMULATOR_BASE_URL"]
        client = openai.OpenAI(api_key="sk-sdk-test", base_url=base + "/v1", max_retries=0)

        thread = client.beta.threads.create(
            messages=[
                {"role": "user", "content": "hello"},
                {"role": "assistant", "content": [{"type": "text", "text": "hi there"}]},
            ],
            metadata={"tag": "support", "tenant": "acme"},
        )
        assert thread.id.startswith("thread_") and len(thread.id) == 31, thread.id
        assert thread.object == "thread"
        assert thread.metadata == {"tag": "support", "tenant": "acme"}, thread.metadata

        again = client.beta.threads.retrieve(thread.id)
        assert again.id == thread.id and again.created_at == thread.created_at

        changed = client.beta.threads.update(thread.id, metadata={"tag": "sales"})
        assert changed.metadata == {"tag": "sales"}, changed.metadata

        for index in range(5):
            client.beta.threads.messages.create(thread.id, role="user", content=f"m{index}")
        first_page = client.beta.threads.messages.list(thread.id, limit=2, order="asc")
        assert len(first_page.data) == 2 and first_page.has_more
        texts = [m.content[0].text.value for m in first_page]
        assert texts == ["hello", "hi there", "m0", "m1", "m2", "m3", "m4"], texts
        newest = [m.content[0].text.value for m in client.beta.threads.messages.list(thread.id, limit=3)]
        assert newest == list(reversed(texts)), newest
        message = client.beta.threads.messages.retrieve(first_page.data[0].id, thread_id=thread.id)
        assert message.role == "user" and message.thread_id == thread.id

        deleted = client.beta.threads.delete(thread.id)
        assert deleted.deleted and deleted.id == thread.id and deleted.object == "thread.deleted"
        try:
            client.beta.threads.retrieve(thread.id)
            raise SystemExit("retrieve after delete did not raise")
        except openai.NotFoundError as error:
            assert error.status_code == 404
            assert error.body["message"] == f"No thread found with id '{thread.id}'.", error.body

        try:
            client.beta.threads.create(metadata={f"k{i}": "v" for i in range(17)})
            raise SystemExit("17 metadata keys were accepted")
        except openai.BadRequestError as error:
            assert error.code == "object_above_max_properties", error.code
        try:
            client.beta.threads.create(metadata={"note": "x" * 513})
            raise SystemExit("a 513-character value was accepted")
        except openai.BadRequestError as error:
            assert error.code == "string_above_max_length", error.code
        try:
            openai.OpenAI(api_key="sk-wrong", base_url=base + "/v1", max_retries=0).beta.threads.create()
            raise SystemExit("a wrong key was accepted")
        except openai.AuthenticationError as error:
            assert error.status_code == 401
        print("sdk ok", openai.__version__)
        """#

    /// With `--flavor openai` the emulator demands `OpenAI-Beta: assistants=v2`: the SDK sends it.
    @Test(
        .enabled(if: OpenAISDKTests.python != nil, "python3 is not installed; the OpenAI SDK check needs it"),
        arguments: [EmulatorFlavor.any, .openai])
    func officialSDKCannotTellTheEmulatorFromTheAPI(flavor: EmulatorFlavor) async throws {
        let interpreter = try await onOwnThread { try OpenAISDKTests.virtualEnvironment() }
        let server = try await EmulatorServer.start(EmulatorOptions(apiKey: "sk-sdk-test", flavor: flavor))
        let directory = TemporaryDirectory()
        let scriptPath = try directory.write("sdk_check.py", Self.script)
        var environment = ProcessInfo.processInfo.environment
        environment["EMULATOR_BASE_URL"] = server.baseURL
        // The SDK's run (and the venv's first pip install) waits on a thread of its own, not on the pool.
        let result = try await onOwnThread { [environment] in
            try ProcessRunner.run(interpreter, [scriptPath], environment: environment)
        }
        await server.stop()
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.hasPrefix("sdk ok "))
        let stats = await server.stats()
        #expect(stats.deletedThreads == 1)
        #expect(stats.requestsByStatus[401] == 1)
    }
}
