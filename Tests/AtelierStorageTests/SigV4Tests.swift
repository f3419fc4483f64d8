import AtelierObjectStore
import Crypto
import Foundation
import Testing

/// The examples AWS publishes for S3's Signature Version 4 ("Signature Calculations for the
/// Authorization Header: Transferring Payload in a Single Chunk"): their credentials, their time,
/// the bucket `examplebucket` in us-east-1, and the signatures they print.
@Suite("AWS Signature V4")
struct SigV4Tests {
    let signer = SigV4(
        credentials: .init(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        region: "us-east-1")
    let date = Date(timeIntervalSince1970: 1_369_353_600)  // 20130524T000000Z
    let host = ("host", "examplebucket.s3.amazonaws.com")

    func authorization(
        _ method: String, _ path: String, query: [(String, String)] = [], headers: [(String, String)] = [],
        payload: String = SigV4.emptyPayloadHash
    ) -> String? {
        signer.sign(method: method, path: path, query: query, headers: [host] + headers, payloadHash: payload, date: date)
            .first { $0.0 == "Authorization" }?.1
    }

    @Test("GET Object with a range")
    func getObject() {
        #expect(
            authorization("GET", "/test.txt", headers: [("Range", "bytes=0-9")])
                == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
                + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    @Test("PUT Object: a key that needs encoding, a body signed by its hash")
    func putObject() {
        let body = "Welcome to Amazon S3."
        let hash = SHA256.hash(data: Data(body.utf8)).map { String(format: "%02x", $0) }.joined()
        #expect(hash == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
        let signed = authorization(
            "PUT", "/test$file.text",
            headers: [("Date", "Fri, 24 May 2013 00:00:00 GMT"), ("x-amz-storage-class", "REDUCED_REDUNDANCY")], payload: hash)
        #expect(
            signed?.hasSuffix(
                "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class, "
                    + "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd") == true, "\(signed ?? "")")
    }

    @Test("GET Bucket Lifecycle: a query parameter without a value")
    func lifecycle() {
        #expect(
            authorization("GET", "/", query: [("lifecycle", "")])?.hasSuffix(
                "Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543") == true)
    }

    @Test("GET Bucket (list objects): query parameters sorted")
    func listObjects() {
        #expect(
            authorization("GET", "/", query: [("prefix", "J"), ("max-keys", "2")])?.hasSuffix(
                "Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7") == true)
    }

    @Test("temporary credentials sign and send their session token; another secret signs differently")
    func sessionToken() {
        let temporary = SigV4(
            credentials: .init(
                accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", sessionToken: "token/1"),
            region: "us-east-1")
        let added = temporary.sign(method: "GET", path: "/k", query: [], headers: [host], payloadHash: SigV4.emptyPayloadHash, date: date)
        #expect(added.contains { $0 == ("x-amz-security-token", "token/1") })
        #expect(added.first { $0.0 == "Authorization" }?.1.contains("x-amz-security-token") == true)
        let other = SigV4(credentials: .init(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "another"), region: "us-east-1")
        #expect(
            other.sign(
                method: "GET", path: "/test.txt", query: [], headers: [host, ("Range", "bytes=0-9")], payloadHash: SigV4.emptyPayloadHash,
                date: date
            )
            .first { $0.0 == "Authorization" }?.1 != authorization("GET", "/test.txt", headers: [("Range", "bytes=0-9")]))
    }
}
