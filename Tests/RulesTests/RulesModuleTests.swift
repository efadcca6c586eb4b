import Testing

@testable import Rules

@Test func RulesModuleLinks() {
    #expect(String(describing: RulesModule.self) == "RulesModule")
}
