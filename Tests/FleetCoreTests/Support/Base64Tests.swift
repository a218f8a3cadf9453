import FleetCore
import XCTest

final class Base64Tests: XCTestCase {
    /// RFC 4648 section 10.
    func testRFCVectors() {
        let vectors = [
            "": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=",
            "foobar": "Zm9vYmFy",
        ]
        for (plain, encoded) in vectors {
            XCTAssertEqual(Base64.decode(encoded), Array(plain.utf8), encoded)
        }
    }

    func testPaddingIsOptional() {
        XCTAssertEqual(Base64.decode("Zg"), Array("f".utf8))
        XCTAssertEqual(Base64.decode("Zm8"), Array("fo".utf8))
    }

    func testEveryByteValueAndBothHighCharacters() {
        // The 3-byte groups 0x00..0xff in order cover every sextet, including '+' and '/'.
        XCTAssertEqual(Base64.decode("+/+/"), [0xFB, 0xFF, 0xBF])
        XCTAssertEqual(Base64.decode("AAECAwQF"), [0, 1, 2, 3, 4, 5])
        XCTAssertEqual(Base64.decode("/w=="), [0xFF])
    }

    func testPNGSignature() {
        XCTAssertEqual(Base64.decode("iVBORw0KGgo="), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    }

    func testRejectsWhatNoEncoderProduces() {
        XCTAssertNil(Base64.decode("Zm9v!"), "a character outside the alphabet")
        XCTAssertNil(Base64.decode("Zm9v YmFy"), "whitespace")
        XCTAssertNil(Base64.decode("Z"), "a single trailing character carries fewer than 8 bits")
        XCTAssertNil(Base64.decode("Zg=a"), "padding in the middle")
        XCTAssertNil(Base64.decode("Zg="), "padding that does not complete a group of 4")
        XCTAssertNil(Base64.decode("Zh=="), "non-zero bits after the last byte")
        XCTAssertNil(Base64.decode("Zm9v-_"), "the URL-safe alphabet")
    }
}
