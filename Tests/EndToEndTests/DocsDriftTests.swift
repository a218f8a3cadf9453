import FleetCore
import Foundation
import XCTest

/// The docs cannot drift from the programs: every verb and flag the binaries accept appears in
/// docs/commands.md, every event kind in docs/events.md; completions and man pages are
/// generated from the same command definitions and are valid.
final class DocsDriftTests: XCTestCase {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

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
                guard line.hasPrefix("  "), trimmed.hasPrefix("--") || trimmed.dropFirst(4).hasPrefix("--") else { return nil }
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
                if !docs.contains("`\(verb)") && !docs.contains(" \(verb) ") && !docs.contains("\(verb) ") { missing.append("\(program) \(verb)") }
                for flag in flags where !docs.contains(flag) { missing.append("\(program) \(verb) \(flag)") }
            }
        }
        XCTAssertEqual(missing, [], "document these in docs/commands.md")
    }

    func testEveryEventKindIsDocumented() throws {
        let docs = try String(contentsOfFile: root + "/docs/events.md", encoding: .utf8)
        let missing = EventKind.all.map(\.rawValue).filter { !docs.contains("`\($0)`") && !docs.contains($0) }
        XCTAssertEqual(missing, [], "document these kinds in docs/events.md")
    }

    func testCompletionsAndManPagesAreValid() throws {
        for program in ["agent-runner", "fleetctl"] {
            let bash = try Harness.run(program, ["completions", "bash"])
            XCTAssertEqual(bash.code, 0)
            let dir = try Harness.temporaryDirectory(self)
            try Harness.write(bash.stdout, to: dir + "/completion.bash")
            let check = try PosixProcessRunner().run(ProcessRequest("bash", arguments: ["-n", dir + "/completion.bash"]))
            XCTAssertEqual(check.exit, .terminated(0), check.stderrText)
            XCTAssertTrue(bash.stdout.contains("complete -o default -F"), bash.stdout)
            XCTAssertTrue(try Harness.run(program, ["completions", "zsh"]).stdout.hasPrefix("#compdef \(program)"))
            XCTAssertTrue(try Harness.run(program, ["completions", "fish"]).stdout.contains("complete -c \(program)"))
            XCTAssertEqual(try Harness.run(program, ["completions", "tcsh"]).code, ExitCode.usage)
            let man = try Harness.run(program, ["man"])
            XCTAssertTrue(man.stdout.hasPrefix(".TH \(program.uppercased()) 1"), man.stdout)
            try Harness.write(man.stdout, to: dir + "/page.1")
            // groff renders it without warnings (groff is part of man-db, installed with man).
            let render = try PosixProcessRunner().run(ProcessRequest("/bin/sh", arguments: ["-c", "groff -man -Tutf8 -ww '\(dir)/page.1' > /dev/null"]))
            XCTAssertEqual(render.exit, .terminated(0), render.stderrText)
            XCTAssertEqual(render.stderrText, "", "groff warnings in the \(program) man page")
        }
    }
}
