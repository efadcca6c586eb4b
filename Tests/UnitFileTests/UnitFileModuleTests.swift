import Testing

@testable import UnitFile

@Test func UnitFileModuleLinks() {
    #expect(String(describing: UnitFileModule.self) == "UnitFileModule")
}
