using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace VendorGate.Gateway.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class RevocationAndGateAttestations : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.RenameColumn(
                name: "Error",
                table: "revocations",
                newName: "AttestationError");

            migrationBuilder.AddColumn<string>(
                name: "AttestationState",
                table: "revocations",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "AttestationKeyId",
                table: "revocations",
                type: "TEXT",
                nullable: true);

            migrationBuilder.RenameColumn(
                name: "EnvelopeDigest",
                table: "model_gates",
                newName: "AttestationDigest");

            migrationBuilder.RenameColumn(
                name: "KeyId",
                table: "model_gates",
                newName: "AttestationKeyId");

            migrationBuilder.AddColumn<string>(
                name: "AttestationState",
                table: "model_gates",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "AttestationError",
                table: "model_gates",
                type: "TEXT",
                nullable: true);

            // A completed revocation and a gate with an envelope were signed. A pending revocation's job makes its statement
            // due when it runs again; an unsigned gate kept no statement to sign, and the next evaluation records it anew.
            migrationBuilder.Sql("""UPDATE revocations SET "AttestationState" = 'signed' WHERE "AttestationDigest" IS NOT NULL""");
            migrationBuilder.Sql("""DELETE FROM model_gates WHERE "AttestationDigest" IS NULL""");
            migrationBuilder.Sql("""UPDATE model_gates SET "AttestationState" = 'signed'""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "AttestationState",
                table: "revocations");

            migrationBuilder.DropColumn(
                name: "AttestationKeyId",
                table: "revocations");

            migrationBuilder.RenameColumn(
                name: "AttestationError",
                table: "revocations",
                newName: "Error");

            migrationBuilder.DropColumn(
                name: "AttestationState",
                table: "model_gates");

            migrationBuilder.DropColumn(
                name: "AttestationError",
                table: "model_gates");

            migrationBuilder.RenameColumn(
                name: "AttestationDigest",
                table: "model_gates",
                newName: "EnvelopeDigest");

            migrationBuilder.RenameColumn(
                name: "AttestationKeyId",
                table: "model_gates",
                newName: "KeyId");
        }
    }
}
