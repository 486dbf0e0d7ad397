import 'reflect-metadata';
import { describeValue, dns1123LabelError, dns1123SubdomainError, quoteValue } from '@service-replicator/references';
import { Type } from 'class-transformer';
import { IsArray, IsBoolean, IsIn, IsObject, IsOptional, ValidateNested } from 'class-validator';
import { HasExactlyOneOf, IsCheckedString, mustBe, nonEmpty } from './dto-constraints';
import type { ToHostMode } from './model';

/** The tenants file is this project's own format, so it is validated strictly: unknown keys are issues. */

const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
const CONFIG_KEY_MAX_LENGTH = 253;

/** Secret and ConfigMap data keys: what Kubernetes accepts as a key. */
function configKeyError(value: string): string | undefined {
  if (CONFIG_KEY.test(value) && value.length <= CONFIG_KEY_MAX_LENGTH) return undefined;
  return `${quoteValue(value)} is not a valid key: must consist of alphanumeric characters, '-', '_' or '.' (at most 253 characters)`;
}

export class HostKeyRefDto {
  @IsCheckedString('isNamespace', (value) => dns1123LabelError(value, 'namespace'))
  namespace!: string;

  @IsCheckedString('isObjectName', (value) => dns1123SubdomainError(value, 'name'))
  name!: string;

  @IsCheckedString('isConfigKey', configKeyError)
  key!: string;
}

export class KubeconfigSourceDto {
  @IsOptional()
  @IsCheckedString('isFilePath', nonEmpty)
  file?: string;

  @IsOptional()
  @IsObject(mustBe('a mapping'))
  @ValidateNested()
  @Type(() => HostKeyRefDto)
  secret?: HostKeyRefDto;
}

export class ConfigSourceDto extends KubeconfigSourceDto {
  @IsOptional()
  @IsObject(mustBe('a mapping'))
  @ValidateNested()
  @Type(() => HostKeyRefDto)
  configMap?: HostKeyRefDto;
}

/** `namespace/name` of a ServiceAccount: a namespace (DNS-1123 label) and a name (DNS-1123 subdomain). */
export function serviceAccountRefError(value: string): string | undefined {
  const parts = value.split('/');
  if (parts.length !== 2) return `${quoteValue(value)} must be namespace/name`;
  return dns1123LabelError(parts[0], 'namespace') ?? dns1123SubdomainError(parts[1], 'name');
}

const TO_HOST_MODES: readonly ToHostMode[] = ['selector', 'endpoints'];

export class TenantDto {
  @IsCheckedString('isTenantName', (value) => dns1123LabelError(value, 'tenant name'))
  name!: string;

  @IsCheckedString('isHostNamespace', (value) => dns1123LabelError(value, 'namespace'))
  hostNamespace!: string;

  @IsObject(mustBe('a mapping'))
  @HasExactlyOneOf(['file', 'secret'])
  @ValidateNested()
  @Type(() => KubeconfigSourceDto)
  kubeconfig!: KubeconfigSourceDto;

  /** Each item is checked in tenants-file.parser.ts, so that an issue can point at the item. */
  @IsOptional()
  @IsArray(mustBe('a list'))
  allowedHostNamespaces?: string[];

  @IsObject(mustBe('a mapping'))
  @HasExactlyOneOf(['file', 'configMap', 'secret'])
  @ValidateNested()
  @Type(() => ConfigSourceDto)
  config!: ConfigSourceDto;

  @IsOptional()
  @IsIn(TO_HOST_MODES, { message: (args) => `must be selector or endpoints, got ${describeValue(args.value)}` })
  toHostMode?: ToHostMode;

  @IsOptional()
  @IsBoolean(mustBe('true or false'))
  adoptVClusterMirrors?: boolean;

  @IsOptional()
  @IsBoolean(mustBe('true or false'))
  endpoints?: boolean;

  /** Each item is checked in tenants-file.parser.ts, so that an issue can point at the item. */
  @IsOptional()
  @IsArray(mustBe('a list'))
  fromHostNamespaces?: string[];

  @IsOptional()
  @IsCheckedString('isServiceAccountRef', serviceAccountRefError)
  hostServiceAccount?: string;

  @IsOptional()
  @IsBoolean(mustBe('true or false'))
  allowExternalName?: boolean;
}

export class TenantsFileDto {
  @IsArray(mustBe('a list'))
  @ValidateNested({ each: true, message: 'must be a mapping' })
  @Type(() => TenantDto)
  tenants!: TenantDto[];
}
