using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace VendorGate.Gateway.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Snapshots : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
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
                    Summary = table.Column<string>(type: "text", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    CreatedBy = table.Column<Guid>(type: "uuid", nullable: false),
                    AttestationState = table.Column<string>(type: "text", nullable: true),
                    AttestationDigest = table.Column<string>(type: "text", nullable: true),
                    AttestationKeyId = table.Column<string>(type: "text", nullable: true),
                    AttestationError = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_snapshots", x => x.Version);
                });

            migrationBuilder.CreateIndex(
                name: "IX_snapshot_batches_BatchId",
                table: "snapshot_batches",
                column: "BatchId");

            migrationBuilder.CreateIndex(
                name: "IX_snapshots_Major_Minor",
                table: "snapshots",
                columns: new[] { "Major", "Minor" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "models");

            migrationBuilder.DropTable(
                name: "snapshot_batches");

            migrationBuilder.DropTable(
                name: "snapshots");
        }
    }
}
