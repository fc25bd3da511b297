using System.Collections.Immutable;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace PppoeProxy.Tests.Module;

/// <summary>A cmdlet as its compiled attributes describe it.</summary>
public sealed record CmdletMetadata(string TypeName, string Verb, string Noun, bool SupportsShouldProcess, int? ConfirmImpact,
    IReadOnlyList<string> OutputTypes, IReadOnlyList<string> Parameters)
{
    public string Name => $"{Verb}-{Noun}";
}

/// <summary>
/// Reads the module's cmdlets from the built DLL with System.Reflection.Metadata: loading the types
/// would need System.Management.Automation, which only pwsh has.
/// </summary>
public static class ModuleMetadata
{
    public static string ModuleDll => Path.Combine(AppContext.BaseDirectory, "PppoeProxy.PowerShell.dll");

    public static IReadOnlyList<CmdletMetadata> ReadCmdlets(string dllPath)
    {
        using var stream = File.OpenRead(dllPath);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        var provider = new TypeNameProvider();
        var cmdlets = new List<CmdletMetadata>();
        foreach (var handle in reader.TypeDefinitions)
        {
            var type = reader.GetTypeDefinition(handle);
            var attributes = Attributes(reader, type.GetCustomAttributes(), provider);
            var cmdlet = attributes.FirstOrDefault(a => a.Name == "System.Management.Automation.CmdletAttribute");
            if (cmdlet.Name is null) continue;
            var outputs = attributes.Where(a => a.Name == "System.Management.Automation.OutputTypeAttribute")
                .SelectMany(a => a.Value.FixedArguments.SelectMany(TypeNames)).ToList();
            var named = cmdlet.Value.NamedArguments.ToDictionary(n => n.Name!, n => n.Value);
            cmdlets.Add(new CmdletMetadata(FullName(reader, handle),
                (string)cmdlet.Value.FixedArguments[0].Value!, (string)cmdlet.Value.FixedArguments[1].Value!,
                named.TryGetValue("SupportsShouldProcess", out var ssp) && ssp is true,
                named.TryGetValue("ConfirmImpact", out var impact) ? Convert.ToInt32(impact) : null,
                outputs, ParametersOf(reader, handle, provider)));
        }
        return cmdlets;
    }

    private static IEnumerable<string> TypeNames(CustomAttributeTypedArgument<string> argument) => argument.Value switch
    {
        string name => new[] { name },
        ImmutableArray<CustomAttributeTypedArgument<string>> items => items.Select(i => (string)i.Value!),
        _ => Array.Empty<string>(),
    };

    /// <summary>Properties with [Parameter], including those inherited from base classes in the same assembly.</summary>
    private static List<string> ParametersOf(MetadataReader reader, TypeDefinitionHandle handle, TypeNameProvider provider)
    {
        var names = new List<string>();
        for (var current = (TypeDefinitionHandle?)handle; current is { } h;)
        {
            var type = reader.GetTypeDefinition(h);
            foreach (var propertyHandle in type.GetProperties())
            {
                var property = reader.GetPropertyDefinition(propertyHandle);
                if (Attributes(reader, property.GetCustomAttributes(), provider).Any(a => a.Name == "System.Management.Automation.ParameterAttribute"))
                    names.Add(reader.GetString(property.Name));
            }
            current = type.BaseType.Kind == HandleKind.TypeDefinition ? (TypeDefinitionHandle)type.BaseType : null;
        }
        return names;
    }

    private static List<(string Name, CustomAttributeValue<string> Value)> Attributes(MetadataReader reader,
        CustomAttributeHandleCollection handles, TypeNameProvider provider)
    {
        var result = new List<(string, CustomAttributeValue<string>)>();
        foreach (var handle in handles)
        {
            var attribute = reader.GetCustomAttribute(handle);
            if (attribute.Constructor.Kind != HandleKind.MemberReference) continue; // ours: not the PowerShell ones
            var ctor = reader.GetMemberReference((MemberReferenceHandle)attribute.Constructor);
            if (ctor.Parent.Kind != HandleKind.TypeReference) continue;
            var name = FullName(reader, (TypeReferenceHandle)ctor.Parent);
            if (!name.StartsWith("System.Management.Automation.", StringComparison.Ordinal)) continue;
            result.Add((name, attribute.DecodeValue(provider)));
        }
        return result;
    }

    internal static string FullName(MetadataReader reader, TypeReferenceHandle handle)
    {
        var type = reader.GetTypeReference(handle);
        var ns = reader.GetString(type.Namespace);
        return ns.Length == 0 ? reader.GetString(type.Name) : $"{ns}.{reader.GetString(type.Name)}";
    }

    internal static string FullName(MetadataReader reader, TypeDefinitionHandle handle)
    {
        var type = reader.GetTypeDefinition(handle);
        var name = reader.GetString(type.Name);
        if (type.IsNested) return FullName(reader, type.GetDeclaringType()) + "+" + name;
        var ns = reader.GetString(type.Namespace);
        return ns.Length == 0 ? name : $"{ns}.{name}";
    }

    /// <summary>Decodes attribute arguments with types as full names; PowerShell's enums are all int-based.</summary>
    private sealed class TypeNameProvider : ICustomAttributeTypeProvider<string>
    {
        public string GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode.ToString();
        public string GetSystemType() => "System.Type";
        public string GetSZArrayType(string elementType) => elementType + "[]";
        public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => FullName(reader, handle);
        public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => FullName(reader, handle);
        public string GetTypeFromSerializedName(string name) => name.Split(',')[0].Trim();
        public PrimitiveTypeCode GetUnderlyingEnumType(string type) => PrimitiveTypeCode.Int32;
        public bool IsSystemType(string type) => type == "System.Type";
    }
}
