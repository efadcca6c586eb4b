import Testing

@testable import ThreadsAPI

@Suite struct ThreadIDTests {
    @Test(arguments: ["thread_abc123DEF456ghi789JKL012", "msg_1", "a", "thread-x_y"])
    func acceptsIDCharacters(_ id: String) throws {
        #expect(try ThreadID.validate(id) == id)
    }

    @Test(arguments: [
        "", "thread/../x", "..", "thread_1?x=1", "thread_1#f", "thread%2F", "thread 1", "thread\n1", "thread\u{0}",
        "thread\t", "thréad", "a/b", "thread.1",
    ])
    func refusesEverythingElse(_ id: String) {
        #expect(!ThreadID.isValid(id))
        #expect(throws: APIError.self) { try ThreadID.validate(id) }
    }

    @Test func refusesOverlongIDs() {
        #expect(ThreadID.isValid(String(repeating: "a", count: 128)))
        #expect(!ThreadID.isValid(String(repeating: "a", count: 129)))
    }

    @Test func messageQuotesTheIDWithControlCharactersEscaped() throws {
        do {
            try ThreadID.validate("bad\nid")
            Issue.record("expected an error")
        } catch let error as APIError {
            #expect(error.kind == .invalidID)
            #expect(
                error.message == "thread id 'bad\\u{a}id' contains a character not allowed in an id; ids are letters, digits, '_' and '-'")
            #expect(error.attempts == 0)
        }
    }
}
