import XCTest

@testable import AgentRunnerCore

final class AgentIdentityTests: XCTestCase {
    func testThePresetComesFromTheExecutableThenTheName() {
        XCTAssertEqual(AgentIdentity(command: ["claude", "-p"]).preset, "claude")
        XCTAssertEqual(
            AgentIdentity(command: ["/usr/local/bin/aider", "--yes-always"]), AgentIdentity(command: ["aider"]))
        XCTAssertEqual(AgentIdentity(command: ["npx", "@google/gemini-cli"], name: "gemini").preset, "gemini")
        XCTAssertEqual(AgentIdentity(command: ["npx", "@google/gemini-cli"], name: "gemini").name, "gemini")
        XCTAssertEqual(AgentIdentity(command: ["gemini"], name: "claude").preset, "gemini", "the executable wins")
        XCTAssertEqual(AgentIdentity(command: ["claude"], name: "my bot").name, "claude")
        let unknown = AgentIdentity(command: ["/opt/bin/run-agent.sh"], name: "nightly")
        XCTAssertNil(unknown.preset)
        XCTAssertEqual(unknown.name, "run-agent.sh", "events name an unknown agent by its executable, as the original")
        XCTAssertNil(AgentIdentity(command: []).preset)
    }

    func testEachPresetGetsItsClassifier() {
        let expected: [String: any TranscriptClassifier.Type] = [
            "claude": ClaudeStreamClassifier.self, "aider": AiderTextClassifier.self,
            "gemini": GeminiStreamClassifier.self,
            "codewhale": CodewhaleStreamClassifier.self, "kimi": KimiStreamClassifier.self,
            "pi": PiStreamClassifier.self,
            "mystery": GenericTextClassifier.self,
        ]
        for (name, type) in expected {
            XCTAssertTrue(Swift.type(of: AgentIdentity(command: [name]).classifier) == type, name)
        }
    }

    func testInitPresetsAreRecognised() {
        for preset in AgentPreset.all {
            XCTAssertEqual(AgentIdentity(command: preset.command, name: preset.name).preset, preset.name)
        }
    }
}
