using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace VendorGate.Gateway.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class OidcSignIn : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "CredentialIssuer",
                table: "reviews",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "CredentialSubject",
                table: "reviews",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "OidcEmail",
                table: "principals",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "OidcIssuer",
                table: "principals",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "OidcSubject",
                table: "principals",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_principals_OidcIssuer_OidcSubject",
                table: "principals",
                columns: new[] { "OidcIssuer", "OidcSubject" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_principals_OidcIssuer_OidcSubject",
                table: "principals");

            migrationBuilder.DropColumn(
                name: "CredentialIssuer",
                table: "reviews");

            migrationBuilder.DropColumn(
                name: "CredentialSubject",
                table: "reviews");

            migrationBuilder.DropColumn(
                name: "OidcEmail",
                table: "principals");

            migrationBuilder.DropColumn(
                name: "OidcIssuer",
                table: "principals");

            migrationBuilder.DropColumn(
                name: "OidcSubject",
                table: "principals");
        }
    }
}
