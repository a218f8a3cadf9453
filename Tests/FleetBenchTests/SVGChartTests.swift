import XCTest

@testable import fleet_bench

final class SVGChartTests: XCTestCase {
    func testTicksAreRoundSteps() {
        XCTAssertEqual(SVGChart.ticks(upTo: 500), [0, 100, 200, 300, 400, 500])
        XCTAssertEqual(SVGChart.ticks(upTo: 3.7), [0, 1, 2, 3, 4])
        XCTAssertEqual(SVGChart.ticks(upTo: 0.42), [0, 0.1, 0.2, 0.3, 0.4, 0.5])
        XCTAssertEqual(SVGChart.ticks(upTo: 26), [0, 10, 20, 30])
        XCTAssertEqual(SVGChart.ticks(upTo: 0.5), [0, 0.1, 0.2, 0.3, 0.4, 0.5])
        XCTAssertEqual(SVGChart.ticks(upTo: 0), [0, 1])
    }

    func testTextIsEscaped() {
        XCTAssertEqual(SVGChart.escaped("a < b & \"c\""), "a &lt; b &amp; &quot;c&quot;")
    }

    func testDocumentPlacesPointsOnTheAxes() {
        let chart = SVGChart(
            title: "T", xLabel: "hosts", yLabel: "s",
            series: [.init(name: "fleetctl <warm>", color: "#000", points: [.init(x: 0, y: 0), .init(x: 500, y: 5)])])
        let svg = SVGChart.document([chart, chart], chartWidth: 400, height: 330)
        XCTAssertTrue(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"800\" height=\"330\""))
        XCTAssertTrue(svg.hasSuffix("</svg>\n"))
        // x: 52 … 388 for 0 … 500; y: 224 … 28 for 0 … 5.
        XCTAssertTrue(svg.contains("<polyline points=\"52,224 388,28\""), svg)
        XCTAssertTrue(svg.contains("<polyline points=\"452,224 788,28\""), svg)
        XCTAssertTrue(svg.contains("fleetctl &lt;warm&gt;"))
        XCTAssertEqual(svg.split(separator: "\n").filter { $0 == "<g>" }.count, 2)
    }
}
