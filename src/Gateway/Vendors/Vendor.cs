using System.ComponentModel.DataAnnotations.Schema;
using Microsoft.EntityFrameworkCore;

namespace VendorGate.Gateway.Vendors;

[Table("vendors")]
[Index(nameof(Name), IsUnique = true)]
public sealed class Vendor
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required string Name { get; set; }
    public required string Jurisdiction { get; set; }
    public required string ContactEmail { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
}
