using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace VendorGate.Gateway.Infrastructure;

public static class ApiDocumentation
{
    public const string DocumentPath = "/openapi/vendorgate.v1.json";

    public static IServiceCollection AddApiDocumentation(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(o =>
        {
            o.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "VendorGate Gateway",
                Version = "v1",
                Description = "The governed write path into a fine-tuning corpus. Authenticate with `Authorization: Bearer vg_<keyid>_<secret>` (an API key), or, for staff, a bearer access token from a configured OpenID provider.",
            });
            o.AddSecurityDefinition("apiKey", new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "An API key (vg_<keyid>_<secret>), or a staff member's OpenID Connect access token (JWT) from a configured issuer",
            });
            o.AddSecurityRequirement(document => new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("apiKey", document)] = [] });
            o.OperationFilter<NdjsonBodyFilter>();
            o.CustomSchemaIds(t => t.FullName!.Replace("VendorGate.Gateway.", "").Replace("+", "."));
        });
        return services;
    }

    public static WebApplication UseApiDocumentation(this WebApplication app)
    {
        app.UseSwagger(o => o.RouteTemplate = "openapi/{documentName}.json");
        if (app.Environment.IsDevelopment())
        {
            app.UseSwaggerUI(o => o.SwaggerEndpoint("/openapi/v1.json", "VendorGate v1"));
        }
        return app;
    }
}

/// <summary>Marks an endpoint that streams an NDJSON body itself (so routing does not answer 415 before the handler can).</summary>
public sealed class NdjsonBody;

internal sealed class NdjsonBodyFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        if (context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<NdjsonBody>().Any())
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Description = "One JSON example per line; Content-Encoding: gzip allowed.",
                Content = new Dictionary<string, IOpenApiMediaType>
                {
                    ["application/x-ndjson"] = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } },
                },
            };
        }
    }
}
