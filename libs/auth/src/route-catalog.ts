import { Injectable, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { routeAccess, type RouteAccess } from './roles.guard';

/** One HTTP route of the api and what it asks of its caller. */
export interface CatalogRoute {
  /** `GET`, `POST`… */
  method: string;
  /** As Fastify registers it: `/api/v1/sources/:id`. */
  path: string;
  controller: string;
  handler: string;
  access: RouteAccess;
}

function joinPath(controllerPath: string, methodPath: string): string {
  const path = `/${controllerPath}/${methodPath}`.replace(/\/{2,}/g, '/');
  return path.length > 1 ? path.replace(/\/$/, '') : path;
}

const asList = (value: unknown): string[] =>
  Array.isArray(value) ? value.map(String) : [value === undefined ? '/' : String(value)];

/**
 * Every route of every controller with its access requirement, from the same metadata Nest routes
 * by. Used to size body limits per route and by the test that proves every route is guarded.
 * (No global prefix, versioning or RouterModule is in use: paths are controller + method path.)
 */
@Injectable()
export class RouteCatalog {
  private cached?: CatalogRoute[];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  routes(): CatalogRoute[] {
    return (this.cached ??= this.scan());
  }

  find(method: string, path: string): CatalogRoute | undefined {
    return this.routes().find((route) => route.method === method && route.path === path);
  }

  private scan(): CatalogRoute[] {
    const routes: CatalogRoute[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const controller = wrapper.metatype as (new (...args: never[]) => object) | undefined;
      if (!controller) continue;
      const prototype = controller.prototype as Record<string, object>;
      for (const controllerPath of asList(Reflect.getMetadata(PATH_METADATA, controller))) {
        for (const name of this.scanner.getAllMethodNames(prototype)) {
          const handler = prototype[name];
          const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
          if (method === undefined) continue;
          for (const methodPath of asList(Reflect.getMetadata(PATH_METADATA, handler))) {
            routes.push({
              method: RequestMethod[method],
              path: joinPath(controllerPath, methodPath),
              controller: controller.name,
              handler: name,
              access: routeAccess(this.reflector, handler, controller),
            });
          }
        }
      }
    }
    return routes;
  }
}
