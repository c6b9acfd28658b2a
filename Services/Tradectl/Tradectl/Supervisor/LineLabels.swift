/// The "name | " prefixes, padded to the longest name so that the columns line up, colored when asked.
///
/// "bus                | ready" next to "persistence-writer | ready": the supervisor's own messages use the
/// label `supervisor`.
struct LineLabels: Sendable {
    /// Label of the supervisor's own messages.
    static let supervisorName = "supervisor"
    /// Foreground colors given to the children in turn; red is left out, it reads as an error.
    private static let colors = ["36", "33", "32", "35", "34", "96", "93", "92", "95", "94"]

    /// Prefix of each child's lines, by position in the process list.
    let children: [String]
    /// Prefix of the supervisor's messages.
    let supervisor: String

    /// Labels for children named `names` (in start order), with ANSI colors if `colors`.
    init(names: [String], colors: Bool) {
        let width = (names + [Self.supervisorName]).map(\.count).max() ?? 0
        func label(_ name: String, color: String) -> String {
            let padded = name + String(repeating: " ", count: width - name.count) + " | "
            return colors ? "\u{1B}[\(color)m\(padded)\u{1B}[0m" : padded
        }
        children = names.enumerated().map { index, name in
            label(name, color: Self.colors[index % Self.colors.count])
        }
        supervisor = label(Self.supervisorName, color: "1")
    }
}
