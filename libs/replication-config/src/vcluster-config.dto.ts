import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsArray, IsBoolean, IsObject, IsOptional, IsString, ValidateNested } from 'class-validator';
import { IsListOf, isMapping, mustBe } from './dto-constraints';

const isString = (item: unknown) => typeof item === 'string';

/**
 * The parts of vCluster's vcluster.yaml schema this project reads. Shape only: what the
 * references mean is decided after validation (see tenant-config.parser.ts).
 */

/** One `{from, to}` entry; any other key is an issue (validated strictly). */
export class ServiceMappingDto {
  @IsString(mustBe('a string'))
  from!: string;

  @IsString(mustBe('a string'))
  to!: string;
}

/** `networking.replicateServices`; validated strictly so a typo such as `tohost` is reported. */
export class ReplicateServicesDto {
  @IsOptional()
  @IsArray(mustBe('a list'))
  @ValidateNested({ each: true, message: 'must be a mapping with from and to' })
  @Type(() => ServiceMappingDto)
  fromHost?: ServiceMappingDto[];

  @IsOptional()
  @IsArray(mustBe('a list'))
  @ValidateNested({ each: true, message: 'must be a mapping with from and to' })
  @Type(() => ServiceMappingDto)
  toHost?: ServiceMappingDto[];
}

export class PublicEgressDto {
  @IsOptional()
  @IsBoolean(mustBe('true or false'))
  enabled?: boolean;

  @IsOptional()
  @IsString(mustBe('a string'))
  cidr?: string;

  @IsOptional()
  @IsListOf('isListOfStrings', 'a string', isString)
  except?: string[];
}

/** Rules stay plain data: they are Kubernetes NetworkPolicy rules, applied later as written. */
export class WorkloadNetworkPolicyDto {
  @IsOptional()
  @IsListOf('isListOfMappings', 'a mapping', isMapping)
  ingress?: Record<string, unknown>[];

  @IsOptional()
  @IsListOf('isListOfMappings', 'a mapping', isMapping)
  egress?: Record<string, unknown>[];

  @IsOptional()
  @IsObject(mustBe('a mapping'))
  @ValidateNested()
  @Type(() => PublicEgressDto)
  publicEgress?: PublicEgressDto;
}

/** `policies.networkPolicy`; validated loosely, since vCluster defines more keys here than we read. */
export class NetworkPolicyDto {
  @IsOptional()
  @IsBoolean(mustBe('true or false'))
  enabled?: boolean;

  @IsOptional()
  @IsObject(mustBe('a mapping'))
  @ValidateNested()
  @Type(() => WorkloadNetworkPolicyDto)
  workload?: WorkloadNetworkPolicyDto;
}
