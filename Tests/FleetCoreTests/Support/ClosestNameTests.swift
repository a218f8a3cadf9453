import XCTest

@testable import FleetCore

/// The one "did you mean" rule every unknown verb, flag, key, detector and event kind uses.
final class ClosestNameTests: XCTestCase {
    let verbs = ["start", "stop", "status", "restart", "peek", "events", "monitor"]

    func testASwapOfNeighboursIsOneEditSoTheTransposedWordWins() {
        XCTAssertEqual(ClosestName.editDistance(Array("stauts".utf8), Array("status".utf8)), 1)
        XCTAssertEqual(ClosestName.editDistance(Array("stauts".utf8), Array("start".utf8)), 2)
        XCTAssertEqual(ClosestName.to("stauts", in: verbs), "status")
    }

    func testDistancesAreLevenshteinOtherwise() {
        XCTAssertEqual(ClosestName.editDistance(Array("".utf8), Array("abc".utf8)), 3)
        XCTAssertEqual(ClosestName.editDistance(Array("kitten".utf8), Array("sitting".utf8)), 3)
        XCTAssertEqual(ClosestName.editDistance(Array("peek".utf8), Array("peek".utf8)), 0)
    }

    func testOnlyLikelyTyposGetASuggestion() {
        XCTAssertEqual(ClosestName.to("evnts", in: verbs), "events")
        XCTAssertNil(ClosestName.to("frobnicate", in: verbs))
        XCTAssertNil(ClosestName.to("x", in: []))
        XCTAssertEqual(ClosestName.suggestion(for: "stopp", in: verbs), "; did you mean 'stop'?")
        XCTAssertEqual(ClosestName.suggestion(for: "frobnicate", in: verbs), "")
    }

    /// Generated typos: every single deletion, insertion or neighbour swap of a verb leads back
    /// to a verb at most one edit away (the suggestion may be another equally close verb).
    func testEverySingleEditOfAVerbSuggestsAVerbOneEditAway() {
        for verb in verbs {
            let letters = Array(verb)
            var typos: [String] = []
            for i in letters.indices {
                var deleted = letters
                deleted.remove(at: i)
                typos.append(String(deleted))
                var inserted = letters
                inserted.insert("x", at: i)
                typos.append(String(inserted))
                if i + 1 < letters.count {
                    var swapped = letters
                    swapped.swapAt(i, i + 1)
                    typos.append(String(swapped))
                }
            }
            for typo in typos where !verbs.contains(typo) {
                let suggestion = ClosestName.to(typo, in: verbs)
                XCTAssertNotNil(suggestion, typo)
                XCTAssertLessThanOrEqual(
                    ClosestName.editDistance(Array(typo.utf8), Array((suggestion ?? "").utf8)), 1, typo)
            }
        }
    }
}
