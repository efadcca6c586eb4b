import Foundation
import JSON
import Testing

@testable import ThreadsAPI

@Suite struct WireModelTests {
    func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(json.utf8))
    }

    @Test func decodesAThreadIgnoringUnknownFields() throws {
        let thread = try decode(
            ThreadObject.self,
            """
            {"id":"thread_abc","object":"thread","created_at":1699012949,"metadata":{"tag":"support"},
             "tool_resources":{"code_interpreter":{"file_ids":[]}},"future_field":[1,2,{"x":null}]}
            """)
        #expect(thread.id == "thread_abc")
        #expect(thread.createdAt == 1_699_012_949)
        #expect(thread.metadata == ["tag": "support"])
        #expect(thread.toolResources == ["code_interpreter": ["file_ids": []]])
    }

    @Test(arguments: [#""metadata":null,"#, ""])
    func nullOrMissingMetadataIsEmpty(_ field: String) throws {
        let thread = try decode(ThreadObject.self, #"{"id":"thread_a",\#(field)"created_at":1,"tool_resources":null}"#)
        #expect(thread.metadata.isEmpty)
        #expect(thread.toolResources == .null || thread.toolResources == nil)
    }

    @Test func nonStringMetadataValuesReadAsText() throws {
        let thread = try decode(ThreadObject.self, #"{"id":"t","created_at":1,"metadata":{"n":12,"b":true,"s":"x","o":{}}}"#)
        #expect(thread.metadata == ["n": "12", "b": "true", "s": "x", "o": "{}"])
    }

    @Test func decodesAMessageListInOpenAIsShape() throws {
        let list = try decode(
            MessageList.self,
            """
            {"object":"list","data":[{"id":"msg_1","object":"thread.message","created_at":5,"assistant_id":null,
              "thread_id":"thread_a","run_id":null,"role":"user","content":[{"type":"text","text":{"value":"hi","annotations":[]}},
              {"type":"image_file","image_file":{"file_id":"f"}}],"attachments":[],"metadata":{}}],
             "first_id":"msg_1","last_id":"msg_1","has_more":false}
            """)
        #expect(list.data.count == 1)
        #expect(list.data[0].text == "hi")
        #expect(list.data[0].content[1] == MessageContent(type: "image_file", text: nil, reference: "f"))
        #expect(list.data[0].threadID == "thread_a")
        #expect(list.firstID == "msg_1")
        #expect(list.hasMore == false)
    }

    @Test func decodesAnEmptyListWithNullCursors() throws {
        let list = try decode(MessageList.self, #"{"object":"list","data":[],"first_id":null,"last_id":null,"has_more":false}"#)
        #expect(list.data.isEmpty)
        #expect(list.firstID == nil)
    }

    @Test func decodesADeletion() throws {
        let status = try decode(DeletionStatus.self, #"{"id":"thread_a","object":"thread.deleted","deleted":true}"#)
        #expect(status == DeletionStatus(id: "thread_a", object: "thread.deleted", deleted: true))
    }

    @Test func metadataLimitsAreCheckedLocally() {
        #expect(throws: Never.self) { try MetadataLimits.validate(Dictionary(uniqueKeysWithValues: (0..<16).map { ("k\($0)", "v") })) }
        #expect(throws: APIError.self) { try MetadataLimits.validate(Dictionary(uniqueKeysWithValues: (0..<17).map { ("k\($0)", "v") })) }
        #expect(throws: APIError.self) { try MetadataLimits.validate([String(repeating: "k", count: 65): "v"]) }
        #expect(throws: APIError.self) { try MetadataLimits.validate(["k": String(repeating: "v", count: 513)]) }
        #expect(throws: Never.self) { try MetadataLimits.validate([String(repeating: "k", count: 64): String(repeating: "v", count: 512)]) }
    }
}
