import Testing

@testable import Emulator

@Test func EmulatorModuleLinks() {
    #expect(String(describing: EmulatorModule.self) == "EmulatorModule")
}
