import Testing

@testable import Journal

@Test func JournalModuleLinks() {
    #expect(String(describing: JournalModule.self) == "JournalModule")
}
