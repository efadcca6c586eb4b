import Testing

@testable import ThreadkeeperCLI

struct LedgerLocationTests {
    @Test func precedence() {
        let env = ["STATE_DIRECTORY": "/var/lib/private/threadkeeper", "HOME": "/home/u"]
        #expect(LedgerLocation.resolve(flag: "/f", configured: "/c", environment: env, isRoot: true) == "/f")
        #expect(LedgerLocation.resolve(flag: nil, configured: "/c", environment: env, isRoot: true) == "/c")
        #expect(
            LedgerLocation.resolve(flag: nil, configured: nil, environment: env, isRoot: false)
                == "/var/lib/private/threadkeeper/ledger.sqlite3")
        #expect(
            LedgerLocation.resolve(flag: nil, configured: nil, environment: ["HOME": "/home/u"], isRoot: true)
                == "/var/lib/threadkeeper/ledger.sqlite3")
        #expect(
            LedgerLocation.resolve(flag: nil, configured: nil, environment: ["HOME": "/home/u"], isRoot: false)
                == "/home/u/.local/state/threadkeeper/ledger.sqlite3")
        #expect(
            LedgerLocation.resolve(
                flag: nil, configured: nil, environment: ["XDG_STATE_HOME": "/x", "HOME": "/home/u"], isRoot: false)
                == "/x/threadkeeper/ledger.sqlite3")
    }
}
