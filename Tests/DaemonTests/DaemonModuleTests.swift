import Testing

@testable import Daemon

@Test func DaemonModuleLinks() {
    #expect(String(describing: DaemonModule.self) == "DaemonModule")
}
