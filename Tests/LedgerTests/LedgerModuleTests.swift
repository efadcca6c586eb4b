import Testing

@testable import Ledger

@Test func LedgerModuleLinks() {
    #expect(String(describing: LedgerModule.self) == "LedgerModule")
}
