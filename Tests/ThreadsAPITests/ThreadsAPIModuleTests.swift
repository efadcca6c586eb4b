import Testing

@testable import ThreadsAPI

@Test func ThreadsAPIModuleLinks() {
    #expect(String(describing: ThreadsAPIModule.self) == "ThreadsAPIModule")
}
