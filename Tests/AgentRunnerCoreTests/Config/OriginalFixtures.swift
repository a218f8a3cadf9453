import Foundation

/// The real original's recorded files (Tests/EndToEndTests/Fixtures/original, see its README),
/// read by path so the unit tests check our loader and migrator against what the original wrote.
enum OriginalFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("EndToEndTests/Fixtures/original").path

    /// The presets `agent-runner init --preset NAME` of the original 0.3.14 was recorded with.
    static let presets = ["aider", "claude", "codewhale", "gemini", "kimi", "pi"]

    static func text(_ relativePath: String) throws -> String {
        try String(contentsOfFile: directory + "/" + relativePath, encoding: .utf8)
    }

    /// `init-<preset>.toml`: what the original's `init --preset <preset>` wrote.
    static func initConfig(_ preset: String) throws -> String {
        try text("init-\(preset).toml")
    }

    /// The spec's 0.2.x sample, as the original's migrate was run on it.
    static func sample02x() throws -> String { try text("migrate/migrate-0.2.x-input.toml") }

    /// What the original's migrate made of the 0.2.x sample.
    static func sample02xMigratedByOriginal() throws -> String { try text("migrate/migrate-0.2.x-output.toml") }
}
