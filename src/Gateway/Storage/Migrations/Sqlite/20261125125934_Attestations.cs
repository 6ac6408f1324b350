using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace VendorGate.Gateway.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Attestations : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "AttestationBlob",
                table: "batches",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "AttestationDigest",
                table: "batches",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "AttestationError",
                table: "batches",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "AttestationKeyId",
                table: "batches",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "AttestationState",
                table: "batches",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "signing_keys",
                columns: table => new
                {
                    Kid = table.Column<string>(type: "TEXT", nullable: false),
                    Jwk = table.Column<string>(type: "TEXT", nullable: false),
                    FirstUsedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    RetiredAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_signing_keys", x => x.Kid);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "signing_keys");

            migrationBuilder.DropColumn(
                name: "AttestationBlob",
                table: "batches");

            migrationBuilder.DropColumn(
                name: "AttestationDigest",
                table: "batches");

            migrationBuilder.DropColumn(
                name: "AttestationError",
                table: "batches");

            migrationBuilder.DropColumn(
                name: "AttestationKeyId",
                table: "batches");

            migrationBuilder.DropColumn(
                name: "AttestationState",
                table: "batches");
        }
    }
}
