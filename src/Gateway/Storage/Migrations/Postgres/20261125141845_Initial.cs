using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace VendorGate.Gateway.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "audit_log",
                columns: table => new
                {
                    Seq = table.Column<long>(type: "bigint", nullable: false),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Actor = table.Column<string>(type: "text", nullable: false),
                    Action = table.Column<string>(type: "text", nullable: false),
                    Target = table.Column<string>(type: "text", nullable: false),
                    Details = table.Column<string>(type: "text", nullable: false),
                    PrevHash = table.Column<string>(type: "text", nullable: false),
                    Hash = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_audit_log", x => x.Seq);
                });

            migrationBuilder.CreateTable(
                name: "batches",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Status = table.Column<string>(type: "text", nullable: false),
                    VendorId = table.Column<Guid>(type: "uuid", nullable: true),
                    SubmitterId = table.Column<Guid>(type: "uuid", nullable: false),
                    Justification = table.Column<string>(type: "text", nullable: false),
                    License = table.Column<string>(type: "text", nullable: false),
                    Source = table.Column<string>(type: "text", nullable: false),
                    DeclaredDomains = table.Column<string>(type: "text", nullable: false),
                    Generator = table.Column<string>(type: "text", nullable: true),
                    IdempotencyKey = table.Column<string>(type: "text", nullable: true),
                    RequestDigest = table.Column<string>(type: "text", nullable: false),
                    ParentBatchId = table.Column<Guid>(type: "uuid", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Count = table.Column<long>(type: "bigint", nullable: true),
                    Digest = table.Column<string>(type: "text", nullable: true),
                    ContentBytes = table.Column<long>(type: "bigint", nullable: true),
                    ContentBlob = table.Column<string>(type: "text", nullable: true),
                    IndexBlob = table.Column<string>(type: "text", nullable: true),
                    ReceivedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ScannedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    AttestationState = table.Column<string>(type: "text", nullable: true),
                    AttestationDigest = table.Column<string>(type: "text", nullable: true),
                    AttestationBlob = table.Column<string>(type: "text", nullable: true),
                    AttestationKeyId = table.Column<string>(type: "text", nullable: true),
                    AttestationError = table.Column<string>(type: "text", nullable: true),
                    PreparedStatement = table.Column<string>(type: "text", nullable: true),
                    PreparedKeyId = table.Column<string>(type: "text", nullable: true),
                    PreparedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    VendorSignatureKeyId = table.Column<string>(type: "text", nullable: true),
                    VendorSignature = table.Column<string>(type: "text", nullable: true),
                    ApprovalState = table.Column<string>(type: "text", nullable: true),
                    ApprovalDigest = table.Column<string>(type: "text", nullable: true),
                    ApprovalKeyId = table.Column<string>(type: "text", nullable: true),
                    ApprovalError = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_batches", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "example_occurrences",
                columns: table => new
                {
                    BatchId = table.Column<Guid>(type: "uuid", nullable: false),
                    Line = table.Column<int>(type: "integer", nullable: false),
                    Digest = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_example_occurrences", x => new { x.BatchId, x.Line });
                });

            migrationBuilder.CreateTable(
                name: "models",
                columns: table => new
                {
                    Name = table.Column<string>(type: "text", nullable: false),
                    SnapshotVersion = table.Column<string>(type: "text", nullable: false),
                    Notes = table.Column<string>(type: "text", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    CreatedBy = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_models", x => x.Name);
                });

            migrationBuilder.CreateTable(
                name: "principals",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Kind = table.Column<string>(type: "text", nullable: false),
                    Handle = table.Column<string>(type: "text", nullable: false),
                    DisplayName = table.Column<string>(type: "text", nullable: true),
                    VendorId = table.Column<Guid>(type: "uuid", nullable: true),
                    Roles = table.Column<string>(type: "text", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    RevokedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_principals", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "revocations",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    AnnotatorId = table.Column<Guid>(type: "uuid", nullable: true),
                    BatchId = table.Column<Guid>(type: "uuid", nullable: true),
                    Reason = table.Column<string>(type: "text", nullable: false),
                    RequestedBy = table.Column<Guid>(type: "uuid", nullable: false),
                    RequestedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Status = table.Column<string>(type: "text", nullable: false),
                    Batches = table.Column<string>(type: "text", nullable: false),
                    NewSnapshot = table.Column<string>(type: "text", nullable: true),
                    RemovedCount = table.Column<long>(type: "bigint", nullable: false),
                    AffectedSnapshots = table.Column<string>(type: "text", nullable: false),
                    AffectedModels = table.Column<string>(type: "text", nullable: false),
                    CompletedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    AttestationDigest = table.Column<string>(type: "text", nullable: true),
                    Error = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_revocations", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "signing_keys",
                columns: table => new
                {
                    Kid = table.Column<string>(type: "text", nullable: false),
                    Jwk = table.Column<string>(type: "text", nullable: false),
                    FirstUsedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    RetiredAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_signing_keys", x => x.Kid);
                });

            migrationBuilder.CreateTable(
                name: "snapshot_batches",
                columns: table => new
                {
                    Version = table.Column<string>(type: "text", nullable: false),
                    BatchId = table.Column<Guid>(type: "uuid", nullable: false),
                    Added = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_snapshot_batches", x => new { x.Version, x.BatchId });
                });

            migrationBuilder.CreateTable(
                name: "snapshots",
                columns: table => new
                {
                    Version = table.Column<string>(type: "text", nullable: false),
                    Major = table.Column<int>(type: "integer", nullable: false),
                    Minor = table.Column<int>(type: "integer", nullable: false),
                    Parent = table.Column<string>(type: "text", nullable: true),
                    Message = table.Column<string>(type: "text", nullable: false),
                    Count = table.Column<long>(type: "bigint", nullable: false),
                    ManifestBlob = table.Column<string>(type: "text", nullable: false),
                    ManifestDigest = table.Column<string>(type: "text", nullable: false),
                    Domains = table.Column<string>(type: "text", nullable: false),
                    Summary = table.Column<string>(type: "text", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    CreatedBy = table.Column<Guid>(type: "uuid", nullable: false),
                    RevocationId = table.Column<Guid>(type: "uuid", nullable: true),
                    AttestationState = table.Column<string>(type: "text", nullable: true),
                    AttestationDigest = table.Column<string>(type: "text", nullable: true),
                    AttestationKeyId = table.Column<string>(type: "text", nullable: true),
                    AttestationError = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_snapshots", x => x.Version);
                });

            migrationBuilder.CreateTable(
                name: "vendor_signing_keys",
                columns: table => new
                {
                    Kid = table.Column<string>(type: "text", nullable: false),
                    VendorId = table.Column<Guid>(type: "uuid", nullable: false),
                    Jwk = table.Column<string>(type: "text", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    RevokedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_vendor_signing_keys", x => x.Kid);
                });

            migrationBuilder.CreateTable(
                name: "vendors",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "text", nullable: false),
                    Jurisdiction = table.Column<string>(type: "text", nullable: false),
                    ContactEmail = table.Column<string>(type: "text", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_vendors", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "finding_overrides",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    BatchId = table.Column<Guid>(type: "uuid", nullable: false),
                    SecurityId = table.Column<Guid>(type: "uuid", nullable: false),
                    SecurityHandle = table.Column<string>(type: "text", nullable: false),
                    FindingCodes = table.Column<string>(type: "text", nullable: false),
                    Justification = table.Column<string>(type: "text", nullable: false),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_finding_overrides", x => x.Id);
                    table.ForeignKey(
                        name: "FK_finding_overrides_batches_BatchId",
                        column: x => x.BatchId,
                        principalTable: "batches",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "findings",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    BatchId = table.Column<Guid>(type: "uuid", nullable: false),
                    Code = table.Column<string>(type: "text", nullable: false),
                    Severity = table.Column<string>(type: "text", nullable: false),
                    Message = table.Column<string>(type: "text", nullable: false),
                    Lines = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_findings", x => x.Id);
                    table.ForeignKey(
                        name: "FK_findings_batches_BatchId",
                        column: x => x.BatchId,
                        principalTable: "batches",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "reviews",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    BatchId = table.Column<Guid>(type: "uuid", nullable: false),
                    ReviewerId = table.Column<Guid>(type: "uuid", nullable: false),
                    ReviewerHandle = table.Column<string>(type: "text", nullable: false),
                    Decision = table.Column<string>(type: "text", nullable: false),
                    Comment = table.Column<string>(type: "text", nullable: true),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_reviews", x => x.Id);
                    table.ForeignKey(
                        name: "FK_reviews_batches_BatchId",
                        column: x => x.BatchId,
                        principalTable: "batches",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "api_keys",
                columns: table => new
                {
                    Id = table.Column<string>(type: "text", nullable: false),
                    PrincipalId = table.Column<Guid>(type: "uuid", nullable: false),
                    SecretHash = table.Column<byte[]>(type: "bytea", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ExpiresAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    RevokedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    LastUsedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_api_keys", x => x.Id);
                    table.ForeignKey(
                        name: "FK_api_keys_principals_PrincipalId",
                        column: x => x.PrincipalId,
                        principalTable: "principals",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_api_keys_PrincipalId",
                table: "api_keys",
                column: "PrincipalId");

            migrationBuilder.CreateIndex(
                name: "IX_batches_Status",
                table: "batches",
                column: "Status");

            migrationBuilder.CreateIndex(
                name: "IX_batches_SubmitterId_IdempotencyKey",
                table: "batches",
                columns: new[] { "SubmitterId", "IdempotencyKey" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_batches_VendorId_Status",
                table: "batches",
                columns: new[] { "VendorId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_example_occurrences_Digest",
                table: "example_occurrences",
                column: "Digest");

            migrationBuilder.CreateIndex(
                name: "IX_finding_overrides_BatchId",
                table: "finding_overrides",
                column: "BatchId");

            migrationBuilder.CreateIndex(
                name: "IX_findings_BatchId",
                table: "findings",
                column: "BatchId");

            migrationBuilder.CreateIndex(
                name: "IX_principals_VendorId_Handle",
                table: "principals",
                columns: new[] { "VendorId", "Handle" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_reviews_BatchId",
                table: "reviews",
                column: "BatchId");

            migrationBuilder.CreateIndex(
                name: "IX_revocations_AnnotatorId",
                table: "revocations",
                column: "AnnotatorId");

            migrationBuilder.CreateIndex(
                name: "IX_revocations_BatchId",
                table: "revocations",
                column: "BatchId");

            migrationBuilder.CreateIndex(
                name: "IX_snapshot_batches_BatchId",
                table: "snapshot_batches",
                column: "BatchId");

            migrationBuilder.CreateIndex(
                name: "IX_snapshots_Major_Minor",
                table: "snapshots",
                columns: new[] { "Major", "Minor" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_vendor_signing_keys_VendorId",
                table: "vendor_signing_keys",
                column: "VendorId");

            migrationBuilder.CreateIndex(
                name: "IX_vendors_Name",
                table: "vendors",
                column: "Name",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "api_keys");

            migrationBuilder.DropTable(
                name: "audit_log");

            migrationBuilder.DropTable(
                name: "example_occurrences");

            migrationBuilder.DropTable(
                name: "finding_overrides");

            migrationBuilder.DropTable(
                name: "findings");

            migrationBuilder.DropTable(
                name: "models");

            migrationBuilder.DropTable(
                name: "reviews");

            migrationBuilder.DropTable(
                name: "revocations");

            migrationBuilder.DropTable(
                name: "signing_keys");

            migrationBuilder.DropTable(
                name: "snapshot_batches");

            migrationBuilder.DropTable(
                name: "snapshots");

            migrationBuilder.DropTable(
                name: "vendor_signing_keys");

            migrationBuilder.DropTable(
                name: "vendors");

            migrationBuilder.DropTable(
                name: "principals");

            migrationBuilder.DropTable(
                name: "batches");
        }
    }
}
