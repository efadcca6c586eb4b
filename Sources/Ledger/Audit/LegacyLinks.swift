/// What the per-action links of schema 2 covered when the chain took over (the note of the `migration` row).
public struct LegacyLinks: Sendable, Hashable {
    public var runs: Int64
    public var actions: Int64
    /// The id of the last action written before the migration (0: none).
    public var lastAction: Int64
    /// That action's intent digest under the schema 2 format (`ActionChain.intentDigest`).
    public var lastIntent: String

    var note: String {
        "legacy_runs=\(runs) legacy_actions=\(actions) last_action=\(lastAction) last_intent=\(lastIntent)"
    }

    init(runs: Int64, actions: Int64, lastAction: Int64, lastIntent: String) {
        self.runs = runs
        self.actions = actions
        self.lastAction = lastAction
        self.lastIntent = lastIntent
    }

    init?(note: String) {
        var values: [Substring: Substring] = [:]
        for pair in note.split(separator: " ") {
            guard let equals = pair.firstIndex(of: "=") else { return nil }
            values[pair[..<equals]] = pair[pair.index(after: equals)...]
        }
        guard let runs = values["legacy_runs"].flatMap({ Int64($0) }),
            let actions = values["legacy_actions"].flatMap({ Int64($0) }),
            let lastAction = values["last_action"].flatMap({ Int64($0) }), let lastIntent = values["last_intent"]
        else { return nil }
        self.init(runs: runs, actions: actions, lastAction: lastAction, lastIntent: String(lastIntent))
    }
}
