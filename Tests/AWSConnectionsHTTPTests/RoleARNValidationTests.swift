import AWSConnectionsCore
import AWSConnectionsTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// `roleArn` in create and update bodies: an IAM role ARN of the connection's own account and
/// of its region's partition, else 400 naming `roleArn` with what is wrong.
@Suite("roleArn in create and update bodies")
struct RoleARNValidationTests {
    /// (region, roleArn, field code) for an account of 123456789012.
    static let refused: [(region: String, arn: String, code: String)] = [
        ("us-east-1", "not an arn", "invalid_format"),
        ("us-east-1", "arn:aws:iam::123456789012:user/reader", "invalid_format"),
        ("us-east-1", "arn:aws:iam::12345678901:role/reader", "invalid_format"),
        ("us-east-1", "arn:aws:iam::123456789012:role/", "invalid_format"),
        ("us-east-1", "arn:aws:iam::123456789012:role/has space", "invalid_format"),
        ("us-east-1", "arn:aws:iam::123456789012:role/" + String(repeating: "a", count: 65), "invalid_format"),
        ("us-east-1", "arn:aws:sts::123456789012:role/reader", "invalid_format"),
        ("us-east-1", "arn:aws:iam::210987654321:role/reader", "account_mismatch"),
        ("us-east-1", "arn:aws-cn:iam::123456789012:role/reader", "partition_mismatch"),
        ("us-east-1", "arn:aws-us-gov:iam::123456789012:role/reader", "partition_mismatch"),
        ("cn-north-1", "arn:aws:iam::123456789012:role/reader", "partition_mismatch"),
    ]

    @Test("create: a malformed roleArn, another account's or another partition's is 400 naming roleArn, and nothing is created",
          arguments: StoreKind.all, Self.refused)
    func createRefuses(store: StoreKind, refused: (region: String, arn: String, code: String)) async throws {
        try await withApp(store) { world, client in
            let response = try await client.create(
                key: world.alpha,
                body: #"{"name":"n","awsAccountId":"123456789012","awsRegion":"\#(refused.region)","roleArn":"\#(refused.arn)"}"#)
            #expect(response.status == .badRequest)
            #expect(try response.problemCode() == "validation_failed")
            #expect(try response.fieldErrorCodes() == ["roleArn": refused.code])
            #expect((try await client.list(key: world.alpha).json()["Items"] as? [Any])?.count == 0)
        }
    }

    @Test("update: a malformed roleArn, another account's or another partition's is 400 naming roleArn, and nothing changes",
          arguments: StoreKind.all, Self.refused)
    func updateRefuses(store: StoreKind, refused: (region: String, arn: String, code: String)) async throws {
        try await withApp(store) { world, client in
            let created = try await client.createConnection(key: world.alpha, awsRegion: refused.region)
            let id = try #require(created["connectionId"] as? String)
            let response = try await client.update(
                key: world.alpha, id: id, body: #"{"name":"changed","version":1,"roleArn":"\#(refused.arn)"}"#)
            #expect(response.status == .badRequest)
            #expect(try response.problemCode() == "validation_failed")
            #expect(try response.fieldErrorCodes() == ["roleArn": refused.code])
            let after = try await client.get(key: world.alpha, id: id).json()
            #expect(NSDictionary(dictionary: after) == NSDictionary(dictionary: created))
        }
    }

    @Test("a role with a path, in the connection's account and partition, is accepted at create and at update", arguments: StoreKind.all)
    func pathsAccepted(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let china = "arn:aws-cn:iam::123456789012:role/media/readers/reader"
            let created = try await client.createConnection(key: world.alpha, awsRegion: "cn-north-1", extra: #","roleArn":"\#(china)""#)
            #expect(created["roleArn"] as? String == china)
            let id = try #require(created["connectionId"] as? String)
            let other = "arn:aws-cn:iam::123456789012:role/other-reader"
            let updated = try await client.update(key: world.alpha, id: id, body: #"{"name":"n","version":1,"roleArn":"\#(other)"}"#)
            #expect(updated.status == .ok, "\(updated.bodyText)")
            #expect(try updated.json()["roleArn"] as? String == other)
        }
    }
}
