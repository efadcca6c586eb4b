import Foundation
import TestSupport
import Testing

@testable import Emulator

/// The official OpenAI Python SDK's `client.conversations` against the emulator's Conversations API.
struct OpenAISDKConversationTests {
    static let script = #"""
        import os, sys, warnings
        warnings.simplefilter("ignore")
        import openai

        base = os.environ["EMULATOR_BASE_URL"]
        client = openai.OpenAI(api_key="sk-sdk-test", base_url=base + "/v1", max_retries=0)

        conv = client.conversations.create(
            items=[{"type": "message", "role": "user", "content": "hello"}],
            metadata={"tag": "support", "tenant": "acme"},
        )
        assert conv.id.startswith("conv_"), conv.id
        assert conv.object == "conversation"
        assert conv.metadata == {"tag": "support", "tenant": "acme"}, conv.metadata

        again = client.conversations.retrieve(conv.id)
        assert again.id == conv.id and again.created_at == conv.created_at

        changed = client.conversations.update(conv.id, metadata={"tag": "sales"})
        assert changed.metadata == {"tag": "sales"}, changed.metadata

        created = client.conversations.items.create(
            conv.id,
            items=[
                {"type": "message", "role": "user", "content": "m0"},
                {"type": "message", "role": "assistant", "content": "m1"},
                {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "m2"}]},
            ],
        )
        assert [item.type for item in created.data] == ["message"] * 3, created
        assert created.data[1].role == "assistant" and created.data[1].content[0].type == "output_text"

        first_page = client.conversations.items.list(conv.id, limit=2, order="asc")
        assert len(first_page.data) == 2 and first_page.has_more, first_page
        texts = [item.content[0].text for item in first_page]
        assert texts == ["hello", "m0", "m1", "m2"], texts
        newest = [item.content[0].text for item in client.conversations.items.list(conv.id, limit=3)]
        assert newest == list(reversed(texts)), newest

        deleted = client.conversations.delete(conv.id)
        assert deleted.deleted and deleted.id == conv.id and deleted.object == "conversation.deleted", deleted
        try:
            client.conversations.retrieve(conv.id)
            raise SystemExit("retrieve after delete did not raise")
        except openai.NotFoundError as error:
            assert error.status_code == 404
            assert error.body["message"] == f"Conversation with id '{conv.id}' not found.", error.body
        try:
            client.conversations.create(metadata={f"k{i}": "v" for i in range(17)})
            raise SystemExit("17 metadata keys were accepted")
        except openai.BadRequestError as error:
            assert error.code == "object_above_max_properties", error.code
        print("sdk ok", openai.__version__)
        """#

    /// Under `--flavor openai` threads demand `OpenAI-Beta: assistants=v2`; conversations do not,
    /// and the SDK does not send it for them.
    @Test(
        .enabled(if: OpenAISDKTests.python != nil, "python3 is not installed; the OpenAI SDK check needs it"),
        arguments: [EmulatorFlavor.any, .openai])
    func officialSDKConversationsCannotTellTheEmulatorFromTheAPI(flavor: EmulatorFlavor) async throws {
        let interpreter = try await onOwnThread { try OpenAISDKTests.virtualEnvironment() }
        let server = try await EmulatorServer.start(EmulatorOptions(apiKey: "sk-sdk-test", flavor: flavor))
        let directory = TemporaryDirectory()
        let scriptPath = try directory.write("sdk_conversations.py", Self.script)
        var environment = ProcessInfo.processInfo.environment
        environment["EMULATOR_BASE_URL"] = server.baseURL
        // The SDK's run (and the venv's first pip install) waits on a thread of its own, not on the pool.
        let result = try await onOwnThread { [environment] in
            try ProcessRunner.run(interpreter, [scriptPath], environment: environment)
        }
        let live = await server.liveConversationIDs()
        await server.stop()
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.hasPrefix("sdk ok "))
        #expect(live.isEmpty)
        let stats = await server.stats()
        #expect(stats.requestsByStatus[404] == 1)
        #expect(stats.requestsByStatus[400] == 1)
    }
}
