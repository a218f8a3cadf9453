import AgentRunnerCore
import Detectors
import FleetControl
import FleetCore
import Foundation
import XCTest

/// The docs cannot drift from the programs: every verb and flag the binaries accept appears in
/// docs/commands.md, every event kind in docs/events.md; completions and man pages are
/// generated from the same command definitions and are valid.
final class DocsDriftTests: XCTestCase {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// Verbs from `PROGRAM --help`, flags from `PROGRAM help VERB`.
    func interface(of program: String) throws -> [(verb: String, flags: [String])] {
        let help = try Harness.run(program, ["--help"]).stdout
        let verbs = help.split(separator: "\n").drop { !$0.hasPrefix("Verbs:") }.dropFirst()
            .prefix { $0.hasPrefix("  ") }.compactMap { $0.split(separator: " ").first.map(String.init) }
        XCTAssertGreaterThan(verbs.count, 2, help)
        return try verbs.map { verb in
            let text = try Harness.run(program, ["help", verb]).stdout
            // Flags from the option lines of "Flags:" (`  --name VALUE   help`, `  -i, --name ...`).
            let flags = text.split(separator: "\n").compactMap { line -> String? in
                let trimmed = line.drop { $0 == " " }
                guard line.hasPrefix("  "), trimmed.hasPrefix("--") || trimmed.dropFirst(4).hasPrefix("--") else {
                    return nil
                }
                let start = trimmed.hasPrefix("--") ? trimmed : trimmed.dropFirst(4)
                return String(start.prefix { $0 != " " })
            }
            return (verb, Array(Set(flags)).sorted())
        }
    }

    func testEveryVerbAndFlagIsDocumented() throws {
        let docs = try String(contentsOfFile: root + "/docs/commands.md", encoding: .utf8)
        var missing: [String] = []
        for program in ["agent-runner", "fleetctl"] {
            for (verb, flags) in try interface(of: program) {
                if !docs.contains("`\(verb)") && !docs.contains(" \(verb) ") && !docs.contains("\(verb) ") {
                    missing.append("\(program) \(verb)")
                }
                for flag in flags where !docs.contains(flag) { missing.append("\(program) \(verb) \(flag)") }
            }
        }
        XCTAssertEqual(missing, [], "document these in docs/commands.md")
    }

    /// One line of docs/commands.md's "Exit codes and output streams, per verb" table.
    struct StreamRow {
        var program: String
        var arguments: [String]
        var exit: Int32
        var output: String

        /// The verb the line runs (`-i PATH` and other flags before it skipped).
        var verb: String? {
            var skipNext = false
            for word in arguments {
                if skipNext {
                    skipNext = false
                } else if word == "-i" || word == "--inventory" || word == "--config" {
                    skipNext = true
                } else if !word.hasPrefix("-") {
                    return word
                }
            }
            return nil
        }
    }

    func streamTable() throws -> [StreamRow] {
        let docs = try String(contentsOfFile: root + "/docs/commands.md", encoding: .utf8)
        guard let start = docs.range(of: "## Exit codes and output streams, per verb") else {
            XCTFail("docs/commands.md lost its \"Exit codes and output streams, per verb\" section")
            return []
        }
        return docs[start.upperBound...].split(separator: "\n").compactMap { line -> StreamRow? in
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == 4, ["agent-runner", "fleetctl"].contains(cells[0]), let exit = Int32(cells[2]) else {
                return nil
            }
            let command = cells[1].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            return StreamRow(
                program: cells[0], arguments: command.split(separator: " ").map(String.init), exit: exit,
                output: cells[3])
        }
    }

    /// The table's exit codes and streams are the binaries': every line is run in the scratch
    /// folder the section describes, and every verb of both programs has a line.
    func testExitCodesAndStreamsPerVerb() throws {
        let rows = try streamTable()
        XCTAssertGreaterThan(rows.count, 40)
        for program in ["agent-runner", "fleetctl"] {
            let covered = Set(rows.filter { $0.program == program }.compactMap(\.verb))
            let verbs = try interface(of: program).map(\.verb)
            XCTAssertEqual(
                verbs.filter { !covered.contains($0) }, [],
                "\(program): give these verbs a line in docs/commands.md's per-verb exit/stream table")
        }
        let scratch = try Harness.temporaryDirectory(self)
        try Harness.write("Host down\n  HostName 127.0.0.1\n  Port 9\n", to: scratch + "/ssh_config")
        try Harness.write(
            "[defaults]\nssh_config = \"ssh_config\"\nconnect_timeout_s = 2\nstate_dir = \"state\"\n\n[hosts.down]\n",
            to: scratch + "/inventory.toml")
        let project = try AgentProject(self)
        let environment = [
            "HOME": scratch + "/home", "XDG_STATE_HOME": scratch + "/xdg", "FLEETCTL_INVENTORY": "",
            "AGENT_RUNNER_CONFIG": "",
        ]
        var differences: [String] = []
        for row in rows {
            let arguments = row.arguments.map { $0.replacingOccurrences(of: "{project}", with: project.dir) }
            let result = try Harness.run(
                row.program, arguments, in: scratch, environment: environment, timeout: .seconds(60))
            let output =
                switch (result.stdout.isEmpty, result.stderr.isEmpty) {
                case (false, true): "out"
                case (true, false): "err"
                case (false, false): "both"
                case (true, true): "-"
                }
            if result.code != row.exit || output != row.output {
                differences.append(
                    "\(row.program) \(row.arguments.joined(separator: " ")): documented \(row.exit) \(row.output), "
                        + "got \(result.exit) \(output) (stderr: \(result.stderr.prefix(200)))")
            }
        }
        XCTAssertEqual(differences, [], "docs/commands.md's per-verb exit/stream table drifted from the binaries")
    }

    func testEveryEventKindIsDocumented() throws {
        let docs = try String(contentsOfFile: root + "/docs/events.md", encoding: .utf8)
        let missing = EventKind.all.map(\.rawValue).filter { !docs.contains("`\($0)`") && !docs.contains($0) }
        XCTAssertEqual(missing, [], "document these kinds in docs/events.md")
    }

    /// The event catalogues, one table each in docs/events.md: the events each log holds.
    static let eventCatalogues: [(title: String, events: [any TypedEvent.Type])] = [
        ("agent-runner: serve and the round", AgentRunnerEvents.all),
        ("agent-runner: install, upgrade and recovery", LifecycleEvents.all),
        ("monitors: agent-runner monitor and fleetctl watch", MonitorEvents.all),
        ("fleetctl (fleet-events-YYYY-MM.jsonl): rollouts and hooks", FleetEvents.all),
    ]

    /// The payload tables as the definitions say, in the docs' generated section.
    static func generatedPayloadTables() -> String {
        var text = ""
        for catalogue in eventCatalogues {
            text += "\n### \(catalogue.title)\n\n| Kind | Payload |\n|---|---|\n"
            for event in catalogue.events {
                let schema = event.schema
                // A `|` inside a table cell ends the cell, even in code: escape it.
                let payload = schema.payloadText.replacingOccurrences(of: "|", with: "\\|")
                text += "| `\(schema.kind.rawValue)` (`\(String(describing: event))`) | \(payload) |\n"
            }
        }
        return text + "\n"
    }

    /// docs/events.md's payload tables are the event definitions' (regenerated with
    /// `UPDATE_DOCS=1`), and every kind a catalogue writes is a registered kind.
    func testEventPayloadTablesMatchTheDefinitions() throws {
        let path = root + "/docs/events.md"
        let docs = try String(contentsOfFile: path, encoding: .utf8)
        let begin = "<!-- BEGIN GENERATED: event payloads (DocsDriftTests) -->\n"
        let end = "<!-- END GENERATED: event payloads -->"
        guard let start = docs.range(of: begin), let stop = docs.range(of: end, range: start.upperBound..<docs.endIndex)
        else {
            return XCTFail("docs/events.md lost its generated section markers")
        }
        let expected = Self.generatedPayloadTables()
        let current = String(docs[start.upperBound..<stop.lowerBound])
        if current != expected, ProcessInfo.processInfo.environment["UPDATE_DOCS"] == "1" {
            try (docs[..<start.upperBound] + expected + docs[stop.lowerBound...]).write(
                toFile: path, atomically: true, encoding: .utf8)
            return
        }
        XCTAssertEqual(
            current, expected,
            "docs/events.md's payload tables drifted from the event definitions; regenerate them with "
                + "UPDATE_DOCS=1 swift test --skip-build --filter DocsDriftTests")
        var seen = Set<ObjectIdentifier>()
        for catalogue in Self.eventCatalogues {
            for event in catalogue.events {
                XCTAssertNotNil(EventKind(validating: event.kind.rawValue), "\(event) writes an unregistered kind")
                let keys = event.schema.fields.map(\.key)
                XCTAssertEqual(keys.count, Set(keys).count, "\(event) spells a key twice")
                XCTAssertFalse(keys.contains("ts") || keys.contains("event"), "\(event) uses an envelope key")
                XCTAssertTrue(
                    seen.insert(ObjectIdentifier(event)).inserted, "\(String(reflecting: event)) is listed twice")
            }
        }
    }

    func testCompletionsAndManPagesAreValid() throws {
        for program in ["agent-runner", "fleetctl"] {
            let bash = try Harness.run(program, ["completions", "bash"])
            XCTAssertEqual(bash.code, 0)
            let dir = try Harness.temporaryDirectory(self)
            try Harness.write(bash.stdout, to: dir + "/completion.bash")
            let check = try PosixProcessRunner().run(
                ProcessRequest("bash", arguments: ["-n", dir + "/completion.bash"]))
            XCTAssertEqual(check.exit, .terminated(0), check.stderrText)
            XCTAssertTrue(bash.stdout.contains("complete -o default -F"), bash.stdout)
            XCTAssertTrue(try Harness.run(program, ["completions", "zsh"]).stdout.hasPrefix("#compdef \(program)"))
            XCTAssertTrue(try Harness.run(program, ["completions", "fish"]).stdout.contains("complete -c \(program)"))
            XCTAssertEqual(try Harness.run(program, ["completions", "tcsh"]).code, ExitCode.usage)
            let man = try Harness.run(program, ["man"])
            XCTAssertTrue(man.stdout.hasPrefix(".TH \(program.uppercased()) 1"), man.stdout)
            try Harness.write(man.stdout, to: dir + "/page.1")
            // groff renders it without warnings (groff is part of man-db, installed with man).
            let render = try PosixProcessRunner().run(
                ProcessRequest("/bin/sh", arguments: ["-c", "groff -man -Tutf8 -ww '\(dir)/page.1' > /dev/null"]))
            XCTAssertEqual(render.exit, .terminated(0), render.stderrText)
            XCTAssertEqual(render.stderrText, "", "groff warnings in the \(program) man page")
        }
    }
}
