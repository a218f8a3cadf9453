import XCTest

@testable import FleetCore

final class CommandLineParserTests: XCTestCase {
    let program = ProgramSpec(
        name: "tool", version: "1.2.3", summary: "a test tool",
        globalOptions: [OptionSpec("config", value: "PATH", help: "config"), OptionSpec("json", help: "json")],
        verbs: [
            VerbSpec(
                "peek", summary: "look",
                options: [OptionSpec("events", value: "N", help: "n"), OptionSpec("log", help: "log")]),
            VerbSpec("hosts", summary: "list", positionals: [PositionalSpec("SELECTOR", help: "s", optional: true)]),
        ])

    func parse(_ words: [String]) throws -> CommandLineRequest {
        try CommandLineParser(program: program).parse(words)
    }

    func testGlobalFlagsBeforeOrAfterVerbLaterWins() throws {
        guard
            case .run(let parsed) = try parse([
                "--config", "a.toml", "peek", "--json", "--config=b.toml", "--events", "5", "--log",
            ])
        else {
            return XCTFail("expected run")
        }
        XCTAssertEqual(parsed.verb, "peek")
        XCTAssertEqual(parsed.value("config"), "b.toml")
        XCTAssertTrue(parsed.has("json"))
        XCTAssertTrue(parsed.has("log"))
        XCTAssertEqual(try parsed.integer("events", minimum: 1), 5)
    }

    func testHelpAndVersion() throws {
        XCTAssertEqual(try parse(["--version"]), .version)
        XCTAssertEqual(try parse([]), .help(verb: nil))
        XCTAssertEqual(try parse(["--help"]), .help(verb: nil))
        XCTAssertEqual(try parse(["help", "peek"]), .help(verb: "peek"))
        XCTAssertEqual(try parse(["peek", "-h"]), .help(verb: "peek"))
        XCTAssertThrowsError(try parse(["help", "nope"]))
    }

    func testUsageErrors() {
        XCTAssertThrowsError(try parse(["frobnicate"])) {
            XCTAssertEqual(($0 as? UsageError)?.message, "unknown verb 'frobnicate'")
        }
        XCTAssertThrowsError(try parse(["peak"])) {
            XCTAssertEqual(($0 as? UsageError)?.message, "unknown verb 'peak'; did you mean 'peek'?")
        }
        XCTAssertThrowsError(try parse(["help", "hsots"])) {
            XCTAssertEqual(($0 as? UsageError)?.message, "unknown verb 'hsots'; did you mean 'hosts'?")
        }
        XCTAssertThrowsError(try parse(["peek", "--evnets", "3"])) {
            XCTAssertEqual(
                ($0 as? UsageError)?.message, "unknown flag --evnets for 'tool peek'; did you mean '--events'?")
        }
        XCTAssertThrowsError(try parse(["peek", "--nope"])) { XCTAssertEqual(($0 as? UsageError)?.verb, "peek") }
        XCTAssertThrowsError(try parse(["peek", "--events"])) {
            XCTAssertEqual(($0 as? UsageError)?.message, "--events needs a value (N)")
        }
        XCTAssertThrowsError(try parse(["peek", "--log=yes"]))
        XCTAssertThrowsError(try parse(["hosts", "a", "b"]))
        guard case .run(let parsed) = try? parse(["peek", "--events", "zero"]) else { return XCTFail("expected run") }
        XCTAssertThrowsError(try parsed.integer("events", minimum: 1)) {
            XCTAssertEqual(($0 as? UsageError)?.message, "--events must be a positive integer, got 'zero'")
        }
    }

    func testDoubleDashEndsFlags() throws {
        guard case .run(let parsed) = try parse(["hosts", "--", "-weird"]) else { return XCTFail("expected run") }
        XCTAssertEqual(parsed.positionals, ["-weird"])
    }

    func testHelpTextListsEverything() {
        let help = HelpFormatter.programHelp(program)
        XCTAssertTrue(help.contains("peek"))
        XCTAssertTrue(help.contains("--config PATH"))
        let verb = HelpFormatter.verbHelp(program.verbs[0], of: program)
        XCTAssertTrue(verb.contains("Usage: tool peek [FLAGS]"))
        XCTAssertTrue(verb.contains("--events N"))
        XCTAssertTrue(verb.contains("Exit codes:"))
    }

    func testDurations() {
        XCTAssertEqual(DurationText.seconds("5m"), 300)
        XCTAssertEqual(DurationText.seconds("1.5"), 1.5)
        XCTAssertEqual(DurationText.seconds("2h"), 7200)
        XCTAssertNil(DurationText.seconds("-1"))
        XCTAssertNil(DurationText.seconds("soon"))
    }
}
