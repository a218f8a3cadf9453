import FleetCore
import Foundation
import Synchronization
import TestSupport
import XCTest

final class EventLogWriterTests: XCTestCase {
    func testWritesPythonStyleLineToMonthFile() throws {
        let directory = try makeTemporaryDirectory(self)
        let clock = ManualClock("2026-11-25T13:38:29.971Z")
        let writer = EventLogWriter(directory: directory, clock: clock)
        let line = try writer.append(.roundEnd, ["round": 3, "exit_code": 0, "note": "é\n"])
        try writer.append(.agentSpawn, at: EventTimestamp.parse("2026-11-25T13:38:30.000Z"))
        let expected =
            #"{"ts": "2026-11-25T13:38:29.971Z", "event": "round_end", "round": 3, "exit_code": 0, "note": "é\n"}"#
        XCTAssertEqual(line, expected)
        let path = directory + "/events-2026-11.jsonl"
        XCTAssertEqual(
            try fileBytes(path),
            Array((expected + "\n" + #"{"ts": "2026-11-25T13:38:30.000Z", "event": "agent_spawn"}"# + "\n").utf8)
        )
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
    }

    func testReservedPayloadKeysAreRefused() throws {
        let directory = try makeTemporaryDirectory(self)
        let writer = EventLogWriter(directory: directory)
        XCTAssertThrowsError(try writer.append(.roundEnd, ["event": "agent_exit"])) { error in
            XCTAssertTrue("\(error)".contains("reserved"), "\(error)")
        }
        XCTAssertThrowsError(try writer.append(.roundEnd, ["ts": "x"]))
        XCTAssertEqual(try EventLogFile.list(in: directory), [])
    }

    func testReopensWhenFileIsDeletedOrReplaced() throws {
        let directory = try makeTemporaryDirectory(self)
        let writer = EventLogWriter(directory: directory, clock: ManualClock("2026-11-25T00:00:00Z"))
        let path = directory + "/events-2026-11.jsonl"
        try writer.append(.roundStart)
        try FileManager.default.removeItem(atPath: path)
        try writer.append(.roundEnd)
        XCTAssertEqual(try completeLines(of: path).count, 1, "the second event must land in the recreated file")

        try writeBytes(Array("{\"ts\": \"2026-11-25T00:00:00.000Z\", \"event\": \"x\"}\n".utf8), at: path + ".new")
        XCTAssertEqual(rename(path + ".new", path), 0)
        try writer.append(.agentExit)
        let now = try completeLines(of: path).map { String(decoding: $0, as: UTF8.self) }
        XCTAssertEqual(now.count, 2)
        XCTAssertTrue(now.last?.contains("agent_exit") ?? false)

        writer.close()
        try writer.append(.serveStopped)
        XCTAssertEqual(try completeLines(of: path).count, 3, "appends after close() reopen the file")
    }

    func testStartsWithNewlineAfterATornTail() throws {
        let directory = try makeTemporaryDirectory(self)
        let path = directory + "/events-2026-11.jsonl"
        try writeBytes(Array(#"{"ts": "2026-11-25T00:00:00.000Z", "event": "round_st"#.utf8), at: path)
        let writer = EventLogWriter(directory: directory, clock: ManualClock("2026-11-25T00:00:01Z"))
        try writer.append(.roundEnd)
        try writer.append(.roundStart)
        let written = try completeLines(of: path)
        XCTAssertEqual(written.count, 3)
        XCTAssertNil(Event(line: written[0]))
        XCTAssertEqual(
            try EventLogReader(directory: directory).tail(limit: 10).map(\.kind), ["round_start", "round_end"])
    }

    func testMissingDirectoryIsAClearError() throws {
        let directory = try makeTemporaryDirectory(self) + "/gone"
        let writer = EventLogWriter(directory: directory)
        XCTAssertThrowsError(try writer.append(.roundEnd)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains(directory), message)
            XCTAssertTrue(message.contains("does not exist"), message)
            XCTAssertEqual((error as? EventLogError)?.errorNumber, ENOENT)
        }
    }

    /// `/dev/full` fails every write with ENOSPC: the error names the file and says the disk is full.
    /// (A node of the same device in the log directory: a link to it would be refused, below.)
    func testDiskFullIsAClearError() throws {
        let directory = try makeTemporaryDirectory(self)
        let path = directory + "/events-2026-11.jsonl"
        guard mknod(path, S_IFCHR | 0o666, dev_t(1 << 8 | 7)) == 0 else {
            throw MissingPrerequisite(
                "mknod \(path) (the /dev/full device) needs root: run the tests as root, as CI does")
        }
        let writer = EventLogWriter(directory: directory, clock: ManualClock("2026-11-25T00:00:00Z"))
        XCTAssertThrowsError(try writer.append(.roundEnd)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains(path), message)
            XCTAssertTrue(message.contains("ENOSPC"), message)
            XCTAssertTrue(message.contains("disk is full"), message)
        }
    }

    /// A link where the log file goes (planted by whoever could write in the directory) is
    /// refused, never followed: its target is neither created, truncated nor appended to.
    func testALinkInPlaceOfTheLogIsNotFollowed() throws {
        let directory = try makeTemporaryDirectory(self)
        let victim = directory + "/victim"
        try "theirs\n".write(toFile: victim, atomically: false, encoding: .utf8)
        let path = directory + "/events-2026-11.jsonl"
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: victim)
        let writer = EventLogWriter(directory: directory, clock: ManualClock("2026-11-25T00:00:00Z"))
        XCTAssertThrowsError(try writer.append(.roundEnd)) { error in
            XCTAssertTrue("\(error)".contains("ELOOP"), "\(error)")
            XCTAssertTrue("\(error)".contains("remove it"), "\(error)")
        }
        XCTAssertEqual(try String(contentsOfFile: victim, encoding: .utf8), "theirs\n")
        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: directory + "/absent")
        XCTAssertThrowsError(try writer.append(.roundEnd))
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/absent"), "a dangling link creates nothing")
    }

    /// Three writers with their own descriptors plus a shell appending with `printf >>`, all at
    /// once, 2000 lines of ~3 KB: no line may tear or interleave.
    func testConcurrentAppendersNeverInterleave() throws {
        let directory = try makeTemporaryDirectory(self)
        let path = directory + "/events-2026-11.jsonl"
        let padding = String(repeating: "x", count: 3_000)
        let perSource = 500

        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = [
            "-c",
            """
            i=0
            while [ $i -lt \(perSource) ]; do
              printf '{"ts": "2026-11-25T00:00:00.000Z", "event": "shell_line", "source": 9, "i": %d, "pad": "%s"}\\n' $i "$PAD" >> "$LOG"
              i=$((i+1))
            done
            """,
        ]
        // The shell's printf may split a line longer than its own buffer into several writes,
        // which no appender can make atomic; its lines stay well under that size.
        shell.environment = ["PAD": String(repeating: "y", count: 1_000), "LOG": path, "PATH": "/usr/bin:/bin"]
        try shell.run()

        let group = DispatchGroup()
        let failures = Mutex<[String]>([])
        for source in 0..<3 {
            DispatchQueue.global().async(group: group) {
                let writer = EventLogWriter(directory: directory, clock: ManualClock("2026-11-25T00:00:00Z"))
                for index in 0..<perSource {
                    do {
                        try writer.append(
                            .roundProgress,
                            ["source": .int(Int64(source)), "i": .int(Int64(index)), "pad": .string(padding)])
                    } catch {
                        failures.withLock { $0.append("\(error)") }
                    }
                }
            }
        }
        group.wait()
        shell.waitUntilExit()
        XCTAssertEqual(shell.terminationStatus, 0)
        XCTAssertEqual(failures.withLock { $0 }, [])

        // A writer that opens the file while another's line is being copied in can see no
        // final newline and start with one (its torn-line guard): that yields an empty line,
        // which readers skip. What must never happen is a torn or interleaved line.
        let all = try completeLines(of: path).filter { !$0.isEmpty }
        XCTAssertEqual(all.count, 4 * perSource)
        var seen: [Int64: Set<Int64>] = [:]
        for line in all {
            guard let value = try? JSONParser.strict.parse(line), let source = value["source"]?.intValue,
                let index = value["i"]?.intValue
            else {
                XCTFail("torn or interleaved line: \(String(decoding: line.prefix(120), as: UTF8.self))")
                continue
            }
            XCTAssertEqual(value["pad"]?.stringValue?.count, source == 9 ? 1_000 : 3_000)
            seen[source, default: []].insert(index)
        }
        XCTAssertEqual(seen.keys.sorted(), [0, 1, 2, 9])
        for (source, indices) in seen {
            XCTAssertEqual(indices, Set(0..<Int64(perSource)), "source \(source)")
        }
    }
}

/// The event log is the sink behind status, peek, hooks and the fleet event log: every string
/// of every payload is redacted there, whatever the field.
final class EventLogRedactionTests: XCTestCase {
    func testEveryStringFieldIsRedactedWhatevertheField() throws {
        let directory = try makeTemporaryDirectory(self)
        let writer = EventLogWriter(directory: directory, clock: ManualClock("2026-11-25T13:38:29.971Z"))
        for (index, (text, secret)) in SecretRedactorTests.corpus.enumerated() {
            let line = try writer.append(
                .anomalyRepetitiveTool,
                [
                    "round_num": .int(Int64(index)), "tool_name": "Bash", "target": .string(text),
                    "list": [.string(text)],
                ])
            XCTAssertFalse(line.contains(secret), line)
            XCTAssertTrue(line.contains("\"tool_name\": \"Bash\""), line)
        }
        let written = String(decoding: try fileBytes(directory + "/events-2026-11.jsonl"), as: UTF8.self)
        for (_, secret) in SecretRedactorTests.corpus { XCTAssertFalse(written.contains(secret), secret) }
    }
}
